//go:build cuda

package cuda

import (
	"errors"
	"testing"
	"unsafe"
)

func TestDevices(t *testing.T) {
	open(t)
	ds, err := Devices()
	if err != nil || len(ds) == 0 {
		t.Fatalf("Devices: %v, %v", ds, err)
	}
	d := ds[0]
	// Our kernels carry native code from sm_75 on; cuDNN 9 needs sm_50 or newer anyway.
	if d.Name == "" || d.Major < 5 || d.TotalMem <= 0 || d.Multiprocessors <= 0 {
		t.Errorf("implausible device: %+v", d)
	}
	v, err := DriverVersion()
	if err != nil || v < MinDriver {
		t.Errorf("driver version %d (%v), Open accepted it", v, err)
	}
	t.Logf("%s sm_%d%d, %d MiB, driver CUDA %s", d.Name, d.Major, d.Minor, d.TotalMem>>20,
		CUDAVersionString(v))
}

func TestContextIsCurrent(t *testing.T) {
	ctx := open(t)
	if !ctx.IsCurrent() {
		t.Fatal("context not current on its own goroutine")
	}
	other := make(chan bool)
	go func() { other <- ctx.IsCurrent() }()
	if <-other {
		t.Error("context current on a goroutine that did not open it")
	}
	free, total, err := ctx.MemInfo()
	if err != nil || free <= 0 || free > total {
		t.Errorf("MemInfo: free %d total %d: %v", free, total, err)
	}
}

func TestMemoryRoundTrip(t *testing.T) {
	open(t)
	const n = 1000
	b, err := Alloc(n * 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i) - 0.5
	}
	if err := Upload(b.Ptr(), src, s); err != nil {
		t.Fatal(err)
	}
	// Overwrite the second half with 1.0 (0x3f800000), then read back through pinned memory.
	if err := Memset32(b.Ptr().Add(n/2*4), 0x3f800000, n/2, s); err != nil {
		t.Fatal(err)
	}
	h, err := AllocHost(n * 4)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := CopyDtoH(h.Ptr(), b.Ptr(), n*4, s); err != nil {
		t.Fatal(err)
	}
	if err := s.Synchronize(); err != nil {
		t.Fatal(err)
	}
	got := h.Float32s()
	for i := range got {
		want := src[i]
		if i >= n/2 {
			want = 1
		}
		if got[i] != want {
			t.Fatalf("element %d: got %v, want %v", i, got[i], want)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	open(t)
	b, err := Alloc(256)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil || b.Ptr() != 0 {
		t.Errorf("second Close: %v, ptr %v", err, b.Ptr())
	}
	s, _ := NewStream()
	s.Close()
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Synchronize(); !errors.Is(err, ErrClosed) {
		t.Errorf("Synchronize after Close: %v", err)
	}
}

func TestAllocTooMuch(t *testing.T) {
	open(t)
	_, err := Alloc(1 << 52) // 4 PiB
	var ce *Error
	if !errors.Is(err, ErrOutOfMemory) || !errors.As(err, &ce) || ce.Func != "cuMemAlloc" {
		t.Errorf("got %v, want ErrOutOfMemory from cuMemAlloc", err)
	}
}

// scalePTX is `x[i] *= a for i < n`, hand-written PTX for the oldest target the driver JIT
// accepts, so the test needs no nvcc and runs on every GPU cuDNN 9 supports.
const scalePTX = `.version 7.0
.target sm_52
.address_size 64

.visible .entry scale(.param .u64 px, .param .f32 pa, .param .u32 pn)
{
	.reg .pred p;
	.reg .f32 f<3>;
	.reg .b32 r<5>;
	.reg .b64 rd<4>;

	ld.param.u64 rd0, [px];
	ld.param.f32 f0, [pa];
	ld.param.u32 r0, [pn];
	mov.u32 r1, %ctaid.x;
	mov.u32 r2, %ntid.x;
	mov.u32 r3, %tid.x;
	mad.lo.s32 r4, r1, r2, r3;
	setp.ge.s32 p, r4, r0;
	@p bra done;
	cvta.to.global.u64 rd1, rd0;
	mul.wide.s32 rd2, r4, 4;
	add.s64 rd3, rd1, rd2;
	ld.global.f32 f1, [rd3];
	mul.f32 f2, f1, f0;
	st.global.f32 [rd3], f2;
done:
	ret;
}
`

// loadScale loads scalePTX and returns its kernel.
func loadScale(t *testing.T) *Function {
	t.Helper()
	m, err := LoadModule(append([]byte(scalePTX), 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	f, err := m.Function("scale")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLaunch(t *testing.T) {
	open(t)
	f := loadScale(t)
	if f.NumArgs() != 3 {
		t.Fatalf("scale takes 3 arguments, driver says %d", f.NumArgs())
	}
	const n = 1000
	b, err := Alloc(n * 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i)
	}
	if err := Upload(b.Ptr(), src, nil); err != nil {
		t.Fatal(err)
	}

	x, a, cnt := b.Ptr(), float32(-2), int32(n-1) // leave the last element alone
	grid, block := [3]uint32{(n + 255) / 256, 1, 1}, [3]uint32{256, 1, 1}
	err = f.Launch(grid, block, 0, nil, unsafe.Pointer(&x), unsafe.Pointer(&a))
	if !errors.Is(err, ErrArgs) {
		t.Errorf("two arguments for three: got %v, want ErrArgs", err)
	}
	if err := f.Launch(grid, block, 0, nil, unsafe.Pointer(&x), unsafe.Pointer(&a),
		unsafe.Pointer(&cnt)); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, n)
	if err := Download(got, b.Ptr(), nil); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		want := -2 * float32(i)
		if i == n-1 {
			want = float32(i)
		}
		if got[i] != want {
			t.Fatalf("element %d: got %v, want %v", i, got[i], want)
		}
	}

	allocs := testing.AllocsPerRun(10, func() {
		f.Launch(grid, block, 0, nil, unsafe.Pointer(&x), unsafe.Pointer(&a), unsafe.Pointer(&cnt))
	})
	if allocs != 0 {
		t.Errorf("Launch allocates %v times per call", allocs)
	}
}

func TestGraphReplay(t *testing.T) {
	open(t)
	SetSyncAfterLaunch(false) // synchronising inside a capture is illegal
	defer SetSyncAfterLaunch(true)
	f := loadScale(t)
	s, err := NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := Alloc(4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := Upload(b.Ptr(), []float32{1}, s); err != nil {
		t.Fatal(err)
	}

	if err := s.BeginCapture(); err != nil {
		t.Fatal(err)
	}
	x, a, n := b.Ptr(), float32(3), int32(1)
	lerr := f.Launch([3]uint32{1, 1, 1}, [3]uint32{32, 1, 1}, 0, s,
		unsafe.Pointer(&x), unsafe.Pointer(&a), unsafe.Pointer(&n))
	g, err := s.EndCapture()
	if lerr != nil || err != nil {
		t.Fatalf("capture: launch %v, end %v", lerr, err)
	}
	defer g.Close()
	for i := 0; i < 2; i++ {
		if err := g.Launch(s); err != nil {
			t.Fatal(err)
		}
	}
	got := []float32{0}
	if err := Download(got, b.Ptr(), s); err != nil {
		t.Fatal(err)
	}
	if got[0] != 9 { // captured, not run, then replayed twice: 1·3·3
		t.Errorf("got %v, want 9", got[0])
	}
}

func TestEvents(t *testing.T) {
	open(t)
	s, err := NewStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start, err := NewEvent(true)
	if err != nil {
		t.Fatal(err)
	}
	defer start.Close()
	end, _ := NewEvent(true)
	defer end.Close()
	b, _ := Alloc(64 << 20)
	defer b.Close()

	start.Record(s)
	Memset32(b.Ptr(), 0, 16<<20, s)
	end.Record(s)
	if err := end.Synchronize(); err != nil {
		t.Fatal(err)
	}
	d, err := Elapsed(start, end)
	if err != nil || d <= 0 {
		t.Errorf("Elapsed: %v, %v", d, err)
	}
}
