package cuda

import "testing"

func TestVersionStrings(t *testing.T) {
	cuda := map[int]string{12040: "12.4", 13000: "13.0", 12090: "12.9", 11080: "11.8", 0: "unknown"}
	for v, want := range cuda {
		if got := CUDAVersionString(v); got != want {
			t.Errorf("CUDAVersionString(%d) = %q, want %q", v, got, want)
		}
	}
	dnn := map[int]string{91300: "9.13.0", 90000: "9.0.0", 91002: "9.10.2", 8907: "8.9.7",
		-1: "unknown"}
	for v, want := range dnn {
		if got := CUDNNVersionString(v); got != want {
			t.Errorf("CUDNNVersionString(%d) = %q, want %q", v, got, want)
		}
	}
}
