package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// Machine describes where a sweep ran, for the header of the results.
type Machine struct {
	Date      string  `json:"date"`  // UTC, YYYY-MM-DD
	Label     string  `json:"label"` // the machine's part of the results folder's name
	CPU       CPUInfo `json:"cpu"`
	BLAS      string  `json:"blas"`
	Go        string  `json:"go"`
	OS        string  `json:"os"`
	Command   string  `json:"command"`
	LoadStart string  `json:"load_start"` // /proc/loadavg's three averages
	LoadEnd   string  `json:"load_end"`

	// The CPU's peaks in GFLOP/s. Practical: the best ref.Sgemm rate at SgemmSize³,
	// measured at the start and at the end of the run (SgemmStart, SgemmEnd; a shared
	// machine may slow either); the table's "% peak" of CPU rows divides by the better.
	SgemmGFLOPS  float64 `json:"sgemm_gflops"`
	SgemmStart   float64 `json:"sgemm_gflops_start"`
	SgemmEnd     float64 `json:"sgemm_gflops_end"`
	SgemmSize    int     `json:"sgemm_size"`
	TheoryGFLOPS float64 `json:"theoretical_gflops"` // 0: unknown
	TheoryNote   string  `json:"theoretical_note"`

	GPU          string  `json:"gpu"`             // the CLI's GPU description, "" for none
	GPUName      string  `json:"gpu_name"`        // the GPU the rows ran on, "" when none did
	GPUPeak      float64 `json:"gpu_peak_gflops"` // measured FP32 GEMM rate, 0: unknown
	GPUPeakNote  string  `json:"gpu_peak_note"`
	Torch        string  `json:"torch"` // PyTorch's version and libraries, or why not run
	TorchThreads int     `json:"torch_threads"`
}

// CPUInfo is what /proc/cpuinfo tells about the processor.
type CPUInfo struct {
	Model   string  `json:"model"`
	Vendor  string  `json:"vendor"`
	Family  int     `json:"family"`
	Threads int     `json:"threads"` // logical CPUs
	MHz     float64 `json:"mhz"`     // the clock the kernel reports (often the nominal one)
	Vector  string  `json:"vector"`  // widest FMA-capable vector extension: avx512f, avx2, …
}

// ReadCPUInfo parses /proc/cpuinfo; on other systems it returns what Go knows.
func ReadCPUInfo() CPUInfo {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return CPUInfo{Model: runtime.GOARCH, Threads: runtime.NumCPU()}
	}
	defer f.Close()
	return parseCPUInfo(f)
}

func parseCPUInfo(r io.Reader) CPUInfo {
	var c CPUInfo
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			c.Threads++
		case "model name":
			c.Model = v
		case "vendor_id":
			c.Vendor = v
		case "cpu family":
			c.Family, _ = strconv.Atoi(v)
		case "cpu MHz":
			if c.MHz == 0 {
				c.MHz, _ = strconv.ParseFloat(v, 64)
			}
		case "flags":
			if c.Vector == "" {
				c.Vector = vectorISA(strings.Fields(v))
			}
		}
	}
	return c
}

// vectorISA names the widest FMA vector extension among cpuinfo flags.
func vectorISA(flags []string) string {
	has := map[string]bool{}
	for _, f := range flags {
		has[f] = true
	}
	switch {
	case has["avx512f"] && has["fma"]:
		return "avx512f"
	case has["avx2"] && has["fma"]:
		return "avx2+fma"
	case has["avx"]:
		return "avx"
	case has["asimd"]:
		return "asimd"
	}
	return "none known"
}

// TheoreticalPeak derives the FP32 peak from the vector extension, the vendor and the
// clock /proc/cpuinfo reports. FLOP per cycle and core: two FMA pipes of 256 bits (32) for
// AVX2 parts and for AMD family 0x19 (Zen 3/4, which runs AVX-512 as two 256-bit halves);
// two 512-bit pipes (64) for Zen 5 and for Intel AVX-512 server parts (some Intel parts
// have one, so this may be twice too high there). The clock is the one the kernel shows,
// often the nominal one in a VM; boost clocks are unknown, so a measured rate can pass it.
func TheoreticalPeak(c CPUInfo) (gflops float64, note string) {
	perCycle := 0
	switch {
	case c.Vector == "avx512f" && c.Vendor == "AuthenticAMD" && c.Family >= 0x1a:
		perCycle = 64
	case c.Vector == "avx512f" && c.Vendor == "AuthenticAMD":
		perCycle = 32
	case c.Vector == "avx512f":
		perCycle = 64
	case c.Vector == "avx2+fma":
		perCycle = 32
	}
	if perCycle == 0 || c.MHz <= 0 || c.Threads <= 0 {
		return 0, "unknown: no FMA vector unit or clock known from /proc/cpuinfo"
	}
	g := float64(c.Threads) * c.MHz / 1e3 * float64(perCycle)
	return g, fmt.Sprintf("%d logical CPUs × %.3f GHz (reported) × %d FP32 FLOP/cycle (%s, "+
		"%s family %#x); boost clock unknown", c.Threads, c.MHz/1e3, perCycle, c.Vector,
		c.Vendor, c.Family)
}

// MeasureSgemm returns the best rate of ref.Sgemm on n×n×n matrices over reps calls,
// after one untimed call, in GFLOP/s.
func MeasureSgemm(n, reps int) float64 {
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i] = float32(i%17) * 0.01
		b[i] = float32(i%13) * 0.01
	}
	ref.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
	best := time.Duration(1<<63 - 1)
	for range reps {
		t0 := time.Now()
		ref.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		best = min(best, time.Since(t0))
	}
	return 2 * float64(n) * float64(n) * float64(n) / best.Seconds() / 1e9
}

// LoadAverage is /proc/loadavg's 1, 5 and 15 minute averages, or "unknown".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Describe fills what this process can tell about the machine; the caller adds the
// command, the GPU, PyTorch, the peaks and the load at the end.
func Describe(now time.Time) Machine {
	return Machine{
		Date:      now.UTC().Format("2006-01-02"),
		CPU:       ReadCPUInfo(),
		BLAS:      ref.BLASName(),
		Go:        runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: LoadAverage(),
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug lowercases s and joins its words with '-'.
func Slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// ID is Label, or Name(GPUName) when no label was given.
func (m Machine) ID() string {
	if m.Label != "" {
		return m.Label
	}
	return m.Name(m.GPUName)
}

// Name is the machine's part of a results folder name: "cpu-2core-amd-epyc", or
// "gpu-<gpu>-cpu-16core-…" when a GPU row ran.
func (m Machine) Name(gpu string) string {
	name := fmt.Sprintf("cpu-%dcore-%s", m.CPU.Threads, Slug(m.CPU.Model))
	if gpu != "" {
		name = "gpu-" + Slug(strings.TrimPrefix(gpu, "NVIDIA ")) + "-" + name
	}
	return name
}
