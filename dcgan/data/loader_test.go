package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// idSource's image i is 1×2×2 holding i as little-endian uint32; Read fails at index bad.
type idSource struct {
	n, bad int
}

func (s idSource) Name() string  { return "ids" }
func (s idSource) Len() int      { return s.n }
func (s idSource) Channels() int { return 1 }
func (s idSource) Size() int     { return 2 }
func (s idSource) Read(i int, dst []uint8) error {
	if i == s.bad {
		return fmt.Errorf("data: image %d is broken", i)
	}
	binary.LittleEndian.PutUint32(dst, uint32(i))
	return nil
}

// ids returns the indices in a batch of idSource images.
func ids(t *testing.T, b *tensor.Dense) []int {
	t.Helper()
	if s := b.Shape(); len(s) != 4 || s[1] != 1 || s[2] != 2 || s[3] != 2 {
		t.Fatalf("batch shape %v", s)
	}
	raw := b.Data().([]uint8)
	out := make([]int, b.Shape()[0])
	for j := range out {
		out[j] = int(binary.LittleEndian.Uint32(raw[4*j:]))
	}
	return out
}

// run takes k batches from a loader started at (epoch, pos).
func run(t *testing.T, src Source, batch int, seed uint64, epoch, pos, workers, k int) [][]int {
	t.Helper()
	l, err := NewLoader(src, batch, seed, epoch, pos, workers)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out := make([][]int, k)
	for i := range out {
		b, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ids(t, b)
	}
	return out
}

func TestLoaderEpochs(t *testing.T) {
	src := idSource{n: 103, bad: -1}
	const batch = 10 // 10 batches per epoch, 3 images dropped each epoch
	got := run(t, src, batch, 7, 0, 0, 3, 30)
	for e := range 3 {
		seen := map[int]bool{}
		for _, b := range got[e*10 : (e+1)*10] {
			if len(b) != batch {
				t.Fatalf("batch of %d", len(b))
			}
			for _, i := range b {
				if i < 0 || i >= src.n || seen[i] {
					t.Fatalf("epoch %d: index %d out of range or repeated", e, i)
				}
				seen[i] = true
			}
		}
		if len(seen) != 100 {
			t.Errorf("epoch %d saw %d images, want 100", e, len(seen))
		}
	}
	if fmt.Sprint(got[:10]) == fmt.Sprint(got[10:20]) {
		t.Error("epochs 0 and 1 have the same order")
	}
	sorted := true
	for j := 1; j < batch; j++ {
		sorted = sorted && got[0][j-1] < got[0][j]
	}
	if sorted {
		t.Error("first batch is in index order: not shuffled")
	}
	if other := run(t, src, batch, 8, 0, 0, 3, 10); fmt.Sprint(other) == fmt.Sprint(got[:10]) {
		t.Error("seeds 7 and 8 give the same order")
	}
}

// TestLoaderResume checks that starting at (epoch, pos) gives what a straight run gives
// from there, whatever the number of workers.
func TestLoaderResume(t *testing.T) {
	src := idSource{n: 57, bad: -1}
	straight := run(t, src, 8, 42, 0, 0, 1, 7*4) // 7 batches per epoch
	for _, c := range []struct{ epoch, pos, workers int }{
		{0, 0, 4}, {0, 3, 2}, {1, 0, 1}, {1, 6, 3}, {2, 5, 8},
	} {
		k := c.epoch*7 + c.pos
		got := run(t, src, 8, 42, c.epoch, c.pos, c.workers, len(straight)-k)
		if fmt.Sprint(got) != fmt.Sprint(straight[k:]) {
			t.Errorf("start at epoch %d batch %d with %d workers differs from a straight run",
				c.epoch, c.pos, c.workers)
		}
	}

	// Position names the batch a resume starts with.
	l, _ := NewLoader(src, 8, 42, 0, 5, 2)
	defer l.Close()
	for range 3 {
		l.Next()
	}
	if e, p := l.Position(); e != 1 || p != 1 || l.BatchesPerEpoch() != 7 {
		t.Errorf("after 3 batches from (0, 5): Position (%d, %d), want (1, 1)", e, p)
	}
}

func TestLoaderBatch(t *testing.T) {
	src, err := Open(Options{Kind: "synthetic", Seed: 3, Size: 8, Channels: 3, Count: 40})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLoader(src, 16, 1, 0, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := l.Next()
	if err != nil {
		t.Fatal(err)
	}
	if b.Dtype() != tensor.Uint8 || fmt.Sprint(b.Shape()) != "(16, 3, 8, 8)" {
		t.Fatalf("batch %v %v, want uint8 (16, 3, 8, 8)", b.Dtype(), b.Shape())
	}
	// Each batch image is the source's image: find image 0..39 that matches.
	all := readAll(t, src)
	raw := b.Data().([]uint8)
	for j := range 16 {
		found := false
		for _, im := range all {
			found = found || string(im) == string(raw[j*192:(j+1)*192])
		}
		if !found {
			t.Fatalf("batch image %d is no image of the source", j)
		}
	}
	// Two batches in, the ring reuses backing arrays: three distinct slices at most.
	backing := map[*uint8]bool{&raw[0]: true}
	for range 6 {
		b, _ := l.Next()
		backing[&b.Data().([]uint8)[0]] = true
	}
	if len(backing) != prefetch {
		t.Errorf("%d distinct batch buffers over 7 batches, want %d", len(backing), prefetch)
	}
}

func TestLoaderErrors(t *testing.T) {
	src := idSource{n: 20, bad: -1}
	_, err := NewLoader(src, 21, 1, 0, 0, 1)
	if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "21") ||
		!strings.Contains(err.Error(), "20") {
		t.Errorf("batch > data set: %v", err)
	}
	for _, c := range []struct{ batch, epoch, pos, workers int }{
		{0, 0, 0, 1}, {5, -1, 0, 1}, {5, 0, 4, 1}, {5, 0, -1, 1}, {5, 0, 0, -1},
	} {
		if _, err := NewLoader(src, c.batch, 1, c.epoch, c.pos, c.workers); !errors.Is(err,
			ErrOptions) {
			t.Errorf("NewLoader(batch %d, epoch %d, pos %d, workers %d): %v", c.batch, c.epoch,
				c.pos, c.workers, err)
		}
	}

	// A Read error comes out of Next, and again after.
	l, err := NewLoader(idSource{n: 20, bad: 13}, 20, 1, 0, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := l.Next(); err == nil || !strings.Contains(err.Error(), "13") {
			t.Errorf("Next over a broken image: %v", err)
		}
	}
	l.Close()
	l.Close()
	if _, err := l.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}
}

// TestLoaderAllocs checks that Next allocates nothing in steady state over in-memory
// sources, counting the workers' allocations too (AllocsPerRun counts the process).
func TestLoaderAllocs(t *testing.T) {
	mnist, err := Open(Options{Kind: "mnist", Size: 32, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	synth, _ := Open(Options{Kind: "synthetic", Size: 16, Channels: 1, Count: 1000})
	for _, src := range []Source{mnist, synth, idSource{n: 500, bad: -1}} {
		l, err := NewLoader(src, 64, 1, 0, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 { // warm up: every worker has its scratch
			l.Next()
		}
		if a := testing.AllocsPerRun(50, func() { l.Next() }); a != 0 {
			t.Errorf("%s: Next allocates %.1f times per batch", src.Name(), a)
		}
		l.Close()
	}
}
