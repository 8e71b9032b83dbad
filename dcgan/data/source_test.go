package data

import (
	"errors"
	"strings"
	"testing"
)

func TestOpenOptions(t *testing.T) {
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Kind: "mnist", Size: 0, Channels: 1}, "image size must be positive"},
		{Options{Kind: "mnist", Size: 32, Channels: 2}, "channels 2"},
		{Options{Kind: "mnist", Size: 32, Channels: 1, Split: "val"}, `split "val"`},
		{Options{Kind: "imagenet", Size: 32, Channels: 1}, `unknown data set "imagenet"`},
		{Options{Kind: "folder", Size: 32, Channels: 3}, "needs a path"},
		{Options{Kind: "mnist", Path: "/x", Size: 32, Channels: 1}, "takes no path"},
		{Options{Kind: "folder", Path: ".", Split: "test", Size: 32, Channels: 3},
			"no test split"},
		{Options{Kind: "synthetic", Size: 32, Channels: 3, Count: -1}, "must be positive"},
	} {
		_, err := Open(c.opt)
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%+v): %v, want ErrOptions saying %q", c.opt, err, c.want)
		}
	}
	if len(Kinds()) != 5 || Kinds()[0].Name != "mnist" {
		t.Errorf("Kinds() = %v", Kinds())
	}
	for _, k := range Kinds() {
		_, err := Open(Options{Kind: k.Name, Size: 8, Channels: 1})
		if err != nil && !strings.Contains(err.Error(), "needs a path") {
			t.Errorf("kind %s: %v", k.Name, err)
		}
	}

	src, err := Open(Options{Kind: "synthetic", Size: 4, Channels: 3, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ i, n int }{{3, 48}, {-1, 48}, {0, 47}} {
		if err := src.Read(c.i, make([]uint8, c.n)); !errors.Is(err, ErrOptions) {
			t.Errorf("Read(%d, %d bytes): %v, want ErrOptions", c.i, c.n, err)
		}
	}
}
