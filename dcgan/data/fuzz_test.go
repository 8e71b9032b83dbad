package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzIDX feeds arbitrary bytes (raw or gzipped IDX) to the IDX parser as images and as
// labels. It must never panic; what it accepts must be consistent, and an accepted images
// file must serve its images at another size.
func FuzzIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := decodeIDX(bytes.NewReader(b), "fuzz", int64(len(b)), idxImagesMagic)
		if err == nil {
			if len(img.dims) != 3 || len(img.data) != img.dims[0]*img.dims[1]*img.dims[2] {
				t.Fatalf("accepted dims %v with %d bytes", img.dims, len(img.data))
			}
			src, err := newIDXSource("fuzz", img, idxData{}, 5, 3)
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]uint8, 3*5*5)
			for _, i := range []int{0, src.Len() - 1} {
				if err := src.Read(i, dst); err != nil {
					t.Fatal(err)
				}
			}
		}
		lab, err := decodeIDX(bytes.NewReader(b), "fuzz", int64(len(b)), idxLabelsMagic)
		if err == nil && (len(lab.dims) != 1 || len(lab.data) != lab.dims[0]) {
			t.Fatalf("accepted labels dims %v with %d bytes", lab.dims, len(lab.data))
		}
	})
}

// FuzzCIFAR feeds arbitrary bytes to the CIFAR-10 record check. It must never panic, and
// what it accepts must serve its images.
func FuzzCIFAR(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := decodeCIFAR(b, "fuzz")
		if err != nil {
			return
		}
		if len(labels)*cifarRecord != len(b) {
			t.Fatalf("%d labels from %d bytes", len(labels), len(b))
		}
		for _, c := range []int{1, 3} {
			src := newCIFARSource("fuzz", b, labels, 7, c)
			dst := make([]uint8, c*49)
			if err := src.Read(len(labels)-1, dst); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestFuzzCorpus checks that the committed seeds cover both sides: the valid ones parse,
// the broken ones are rejected.
func TestFuzzCorpus(t *testing.T) {
	for _, c := range []struct {
		fuzzer string
		parse  func([]byte) error
	}{
		{"FuzzIDX", func(b []byte) error {
			_, err := decodeIDX(bytes.NewReader(b), "seed", int64(len(b)), idxImagesMagic)
			if err != nil {
				_, err = decodeIDX(bytes.NewReader(b), "seed", int64(len(b)), idxLabelsMagic)
			}
			return err
		}},
		{"FuzzCIFAR", func(b []byte) error { _, err := decodeCIFAR(b, "seed"); return err }},
	} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", c.fuzzer, "*"))
		if len(files) < 5 {
			t.Fatalf("%s: %d seeds", c.fuzzer, len(files))
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if len(lines) != 2 || lines[0] != "go test fuzz v1" {
				t.Fatalf("%s: not a one-value corpus file", f)
			}
			lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
			s, err := strconv.Unquote(lit)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			name := filepath.Base(f)
			valid := strings.HasPrefix(name, "valid_") || strings.HasSuffix(name, "_record") ||
				strings.HasSuffix(name, "_records")
			if err := c.parse([]byte(s)); (err == nil) != valid {
				t.Errorf("%s: parse error %v, want valid=%v", f, err, valid)
			}
		}
	}
}
