package bench

import (
	"math"
	"strings"
	"testing"
)

const cpuinfo2 = `processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 17
model name	: AMD EPYC
cpu MHz		: 2596.128
flags		: fpu sse2 avx fma avx2 avx512f avx512dq

processor	: 1
vendor_id	: AuthenticAMD
cpu family	: 25
model name	: AMD EPYC
cpu MHz		: 2600.000
flags		: fpu sse2 avx fma avx2 avx512f avx512dq
`

func TestParseCPUInfo(t *testing.T) {
	c := parseCPUInfo(strings.NewReader(cpuinfo2))
	want := CPUInfo{Model: "AMD EPYC", Vendor: "AuthenticAMD", Family: 25, Threads: 2,
		MHz: 2596.128, Vector: "avx512f"}
	if c != want {
		t.Errorf("parseCPUInfo = %+v\nwant %+v", c, want)
	}
}

func TestTheoreticalPeak(t *testing.T) {
	for _, c := range []struct {
		cpu  CPUInfo
		want float64
	}{
		// Zen 4: 2 cores × 2.5 GHz × 32.
		{CPUInfo{Vendor: "AuthenticAMD", Family: 0x19, Threads: 2, MHz: 2500,
			Vector: "avx512f"}, 160},
		// Zen 5: 64 per cycle.
		{CPUInfo{Vendor: "AuthenticAMD", Family: 0x1a, Threads: 4, MHz: 3000,
			Vector: "avx512f"}, 768},
		{CPUInfo{Vendor: "GenuineIntel", Family: 6, Threads: 8, MHz: 2000,
			Vector: "avx512f"}, 1024},
		{CPUInfo{Vendor: "GenuineIntel", Family: 6, Threads: 4, MHz: 3000,
			Vector: "avx2+fma"}, 384},
		{CPUInfo{Vendor: "ARM", Threads: 4, MHz: 3000, Vector: "asimd"}, 0},
		{CPUInfo{Vendor: "GenuineIntel", Threads: 4, Vector: "avx2+fma"}, 0}, // no clock
	} {
		got, note := TheoreticalPeak(c.cpu)
		if math.Abs(got-c.want) > 1e-9 || note == "" {
			t.Errorf("TheoreticalPeak(%+v) = %v (%q), want %v", c.cpu, got, note, c.want)
		}
		if c.want == 0 && !strings.HasPrefix(note, "unknown") {
			t.Errorf("unknown peak's note %q should say so", note)
		}
	}
}

func TestMachineName(t *testing.T) {
	m := Machine{CPU: CPUInfo{Model: "AMD EPYC 9454 48-Core Processor", Threads: 2}}
	if got := m.Name(""); got != "cpu-2core-amd-epyc-9454-48-core-processor" {
		t.Errorf("Name = %q", got)
	}
	if got := m.Name("NVIDIA H200"); !strings.HasPrefix(got, "gpu-h200-cpu-2core-") {
		t.Errorf("Name with GPU = %q", got)
	}
}

func TestMeasureSgemm(t *testing.T) {
	if g := MeasureSgemm(64, 2); !(g > 0) || math.IsInf(g, 0) {
		t.Errorf("MeasureSgemm(64) = %v GFLOP/s, want a positive rate", g)
	}
}
