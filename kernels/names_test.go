package kernels

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestNamesMatchSources checks the Kernel list against the kernels the .cu files define, both ways,
// and that dcgan.cu (the one translation unit of the fatbin) includes every op-family file.
func TestNamesMatchSources(t *testing.T) {
	files, err := filepath.Glob("*.cu")
	if err != nil || len(files) == 0 {
		t.Fatalf("no .cu files: %v", err)
	}
	unit, err := os.ReadFile("dcgan.cu")
	if err != nil {
		t.Fatal(err)
	}
	kernel := regexp.MustCompile(
		`extern "C" __global__ void(?:\s+__launch_bounds__\(\w+\))?\s+(\w+)\(`)
	var defined []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range kernel.FindAllSubmatch(src, -1) {
			defined = append(defined, string(m[1]))
		}
		if f != "dcgan.cu" && !strings.Contains(string(unit), `#include "`+f+`"`) {
			t.Errorf("dcgan.cu does not include %s: its kernels would be missing", f)
		}
	}
	var listed []string
	for k := range NumKernels {
		listed = append(listed, k.String())
	}
	slices.Sort(defined)
	slices.Sort(listed)
	if !slices.Equal(defined, listed) {
		t.Errorf("kernels in the .cu files:\n  %v\nkernels.Kernel:\n  %v", defined, listed)
	}
	if s := NumKernels.String(); s != "kernel(?)" {
		t.Errorf("NumKernels.String() = %q, want the out-of-range marker", s)
	}
}
