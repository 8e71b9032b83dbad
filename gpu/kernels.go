//go:build cuda

package gpu

import (
	"errors"
	"fmt"
	"math"
	"os"
	"unsafe"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/kernels"
)

// Kernels is the project's own CUDA kernels (package kernels) loaded into the current
// context: one module from the embedded fatbin, and a launcher per kernel. The launchers take
// device addresses and element counts, check them, queue the kernel on a stream (nil: the
// legacy default stream) and return the launch status, naming the kernel and n. A fault
// inside a kernel surfaces at a later call, unless cuda.SetSyncAfterLaunch is on: then each
// launch waits for its kernel and reports the fault itself. LoadKernels turns it on when the
// environment has DCGAN_SYNC=1; tests turn it on themselves.
//
// The argument order of each launcher is its kernel's: device pointers (inputs, then
// outputs), then n, then scalars. Launching allocates nothing. Like everything in package
// cuda, a Kernels belongs to the goroutine that owns the context.
type Kernels struct {
	mod *cuda.Module
	fn  [kernels.NumKernels]*cuda.Function
}

// maxBlocks caps the grid of the element-wise kernels; their grid-stride loops cover any n.
const maxBlocks = 1 << 15

// LoadKernels loads kernels.Fatbin into the current context (cuModuleLoadData; the driver
// picks the image for the device, or compiles the PTX for a GPU newer than sm_90) and looks
// up every kernel, so a missing one fails here rather than in the first step.
func LoadKernels() (*Kernels, error) {
	mod, err := cuda.LoadModule(kernels.Fatbin)
	if err != nil {
		return nil, fmt.Errorf("gpu: load kernels (%d-byte fatbin): %w%s", len(kernels.Fatbin),
			err, loadHint(err))
	}
	if os.Getenv("DCGAN_SYNC") == "1" {
		cuda.SetSyncAfterLaunch(true)
	}
	k := &Kernels{mod: mod}
	for kn := range kernels.NumKernels {
		f, err := mod.Function(kn.String())
		if err != nil {
			mod.Close()
			return nil, fmt.Errorf("gpu: kernel %s: %w", kn, err)
		}
		k.fn[kn] = f
	}
	return k, nil
}

// loadHint says what usually makes the fatbin fail to load.
func loadHint(err error) string {
	var ce *cuda.Error
	switch {
	case errors.Is(err, cuda.ErrDriverTooOld):
		return " (the kernels are built with CUDA 13: update the NVIDIA driver to one for" +
			" CUDA 13 or newer)"
	case errors.As(err, &ce) && ce.Name == "CUDA_ERROR_NO_BINARY_FOR_GPU":
		return " (the kernels need a GPU of compute capability 7.5 (Turing) or newer)"
	}
	return ""
}

// Close unloads the module (cuModuleUnload). Safe to call twice.
func (k *Kernels) Close() error {
	if k.mod == nil {
		return nil
	}
	mod := k.mod
	k.mod, k.fn = nil, [kernels.NumKernels]*cuda.Function{}
	return mod.Close()
}

// ReLUForward queues relu_forward: y = max(x, 0) over n float32s; y may be x.
func (k *Kernels) ReLUForward(s *cuda.Stream, x, y cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(x), ptr(y), i32(n)}
	return k.launchElements(s, kernels.ReLUForward, n, a[:])
}

// ReLUBackward queues relu_backward: dx = dy where the forward output y > 0, else 0; dx may
// be dy.
func (k *Kernels) ReLUBackward(s *cuda.Stream, y, dy, dx cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(y), ptr(dy), ptr(dx), i32(n)}
	return k.launchElements(s, kernels.ReLUBackward, n, a[:])
}

// LeakyReLUForward queues leaky_relu_forward: y = x for x > 0, slope·x otherwise; y may be x.
func (k *Kernels) LeakyReLUForward(s *cuda.Stream, x, y cuda.DevicePtr, n int,
	slope float32) error {
	a := [...]uint64{ptr(x), ptr(y), i32(n), f32(slope)}
	return k.launchElements(s, kernels.LeakyReLUForward, n, a[:])
}

// LeakyReLUBackward queues leaky_relu_backward: dx = dy where x > 0, slope·dy elsewhere. x is
// the forward input or, for slope > 0, its in-place output; dx may be dy.
func (k *Kernels) LeakyReLUBackward(s *cuda.Stream, x, dy, dx cuda.DevicePtr, n int,
	slope float32) error {
	a := [...]uint64{ptr(x), ptr(dy), ptr(dx), i32(n), f32(slope)}
	return k.launchElements(s, kernels.LeakyReLUBackward, n, a[:])
}

// TanhForward queues tanh_forward: y = tanh(x) (CUDA's tanhf, within 2 ulp); y may be x.
func (k *Kernels) TanhForward(s *cuda.Stream, x, y cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(x), ptr(y), i32(n)}
	return k.launchElements(s, kernels.TanhForward, n, a[:])
}

// TanhBackward queues tanh_backward: dx = dy·(1 − y²) from the forward output y; dx may be dy.
func (k *Kernels) TanhBackward(s *cuda.Stream, y, dy, dx cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(y), ptr(dy), ptr(dx), i32(n)}
	return k.launchElements(s, kernels.TanhBackward, n, a[:])
}

// BCELogitsForward queues bce_logits_forward over the n logits x (one per image): the mean
// BCE-with-logits loss against target (1 real, 0 fake) into the float32 at loss, and the mean
// sigmoid(x), D(x) or D(G(z)), into the float32 at probMean. One block sums in a fixed order,
// so the result is the same on every run.
func (k *Kernels) BCELogitsForward(s *cuda.Stream, x, loss, probMean cuda.DevicePtr, n int,
	target float32) error {
	a := [...]uint64{ptr(x), ptr(loss), ptr(probMean), i32(n), f32(target)}
	return k.launchBCE(s, kernels.BCELogitsForward, n, a[:])
}

// BCELogitsForwardBackward queues bce_logits_forward_backward: BCELogitsForward plus the
// gradient of the mean loss, dx = (sigmoid(x) − target)/n, in the same launch.
func (k *Kernels) BCELogitsForwardBackward(s *cuda.Stream, x, loss, probMean, dx cuda.DevicePtr,
	n int, target float32) error {
	a := [...]uint64{ptr(x), ptr(loss), ptr(probMean), ptr(dx), i32(n), f32(target)}
	return k.launchBCE(s, kernels.BCELogitsForwardBackward, n, a[:])
}

// BCELogitsBackward queues bce_logits_backward: dx = (sigmoid(x) − target)/n.
func (k *Kernels) BCELogitsBackward(s *cuda.Stream, x, dx cuda.DevicePtr, n int,
	target float32) error {
	a := [...]uint64{ptr(x), ptr(dx), i32(n), f32(target)}
	return k.launchElements(s, kernels.BCELogitsBackward, n, a[:])
}

// AdamUpdate queues adam_update: one Adam step over n parameters p with gradients g and
// moments m, v (a net's arenas, in one launch), with the scalars of kernels.AdamScalarsFor.
// If skip is not 0 it is the address of a uint32 flag (CheckFinite's): when the flag is set
// the step changes nothing.
func (k *Kernels) AdamUpdate(s *cuda.Stream, p, g, m, v, skip cuda.DevicePtr, n int,
	sc kernels.AdamScalars) error {
	a := [...]uint64{ptr(p), ptr(g), ptr(m), ptr(v), ptr(skip), i32(n),
		f32(sc.Beta1), f32(sc.OneMinusBeta1), f32(sc.Beta2), f32(sc.OneMinusBeta2),
		f32(sc.NegStepSize), f32(sc.BiasCorrection2Sqrt), f32(sc.Eps)}
	return k.launchElements(s, kernels.AdamUpdate, n, a[:])
}

// NoiseNormal queues noise_normal: out[i] = mean + std·ref.Normal(seed, stream, i) for i < n,
// the CPU reference's numbers (within 1 ulp; see kernels' TestNormalMatchesRef).
func (k *Kernels) NoiseNormal(s *cuda.Stream, out cuda.DevicePtr, n int, seed, stream uint64,
	mean, std float32) error {
	a := [...]uint64{ptr(out), i32(n), seed, stream, f32(mean), f32(std)}
	return k.launch(s, kernels.NoiseNormal, n, elementBlocks((n+3)/4), a[:]) // 4 numbers a thread
}

// NormalizeU8 queues normalize_u8: dst = (src/255 − 0.5)/0.5 from n uint8 pixels at src to
// n float32s at dst.
func (k *Kernels) NormalizeU8(s *cuda.Stream, src, dst cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(src), ptr(dst), i32(n)}
	return k.launchElements(s, kernels.NormalizeU8, n, a[:])
}

// CheckFinite queues check_finite: sets the uint32 at flag to 1 if any of the n float32s at
// x is NaN or infinite. The caller clears the flag (cuda.Memset32) once per step.
func (k *Kernels) CheckFinite(s *cuda.Stream, x, flag cuda.DevicePtr, n int) error {
	a := [...]uint64{ptr(x), ptr(flag), i32(n)}
	return k.launchElements(s, kernels.CheckFinite, n, a[:])
}

// Each launcher passes its kernel's arguments as an array with exactly one 8-byte slot per
// parameter ([...]uint64{...}; Launch refuses a wrong count, so a fixed [16]uint64 would
// fail), each value in the low bytes (little endian): cuda.Function.Launch copies as many
// bytes as the parameter's size from each, 8 for a pointer or unsigned long long, 4 for an
// int or float. maxArgs bounds the count.
const maxArgs = 16

func ptr(p cuda.DevicePtr) uint64 { return uint64(p) }
func i32(n int) uint64            { return uint64(uint32(int32(n))) }
func f32(f float32) uint64        { return uint64(math.Float32bits(f)) }

// launchElements queues an element-wise kernel over n elements, a thread per element.
func (k *Kernels) launchElements(s *cuda.Stream, kn kernels.Kernel, n int, a []uint64) error {
	return k.launch(s, kn, n, elementBlocks(n), a)
}

// elementBlocks is the grid for work threads of an element-wise kernel, capped at maxBlocks.
func elementBlocks(work int) uint32 {
	const threads = kernels.ElementThreads
	return uint32(min((work+threads-1)/threads, maxBlocks))
}

// launchBCE queues a reducing BCE kernel: one block of kernels.BCEThreads threads.
func (k *Kernels) launchBCE(s *cuda.Stream, kn kernels.Kernel, n int, a []uint64) error {
	if n < 0 || n > math.MaxInt32 {
		return fmt.Errorf("gpu: %s n=%d: %w: the kernels index with int32", kn, n, cuda.ErrArgs)
	}
	return k.launchShape(s, kn, n, 1, kernels.BCEThreads, a)
}

// launch checks n and queues an element-wise kernel on blocks of kernels.ElementThreads;
// nothing for n = 0.
func (k *Kernels) launch(s *cuda.Stream, kn kernels.Kernel, n int, blocks uint32,
	a []uint64) error {
	if n < 0 || n > math.MaxInt32 {
		return fmt.Errorf("gpu: %s n=%d: %w: the kernels index with int32", kn, n, cuda.ErrArgs)
	}
	if n == 0 {
		return nil
	}
	return k.launchShape(s, kn, n, blocks, kernels.ElementThreads, a)
}

// launchShape queues kernel kn on blocks×threads; n is for the messages.
func (k *Kernels) launchShape(s *cuda.Stream, kn kernels.Kernel, n int, blocks, threads uint32,
	a []uint64) error {
	if k.mod == nil {
		return fmt.Errorf("gpu: %s: %w", kn, cuda.ErrClosed)
	}

	if len(a) > maxArgs {
		panic(fmt.Sprintf("gpu: %s takes %d arguments, more than %d", kn, len(a), maxArgs))
	}
	var p [maxArgs]unsafe.Pointer
	for i := range a {
		p[i] = unsafe.Pointer(&a[i])
	}
	err := k.fn[kn].Launch([3]uint32{blocks, 1, 1}, [3]uint32{threads, 1, 1}, 0, s,
		p[:len(a)]...)
	if err != nil {
		return fmt.Errorf("gpu: %s n=%d: %w", kn, n, err)
	}
	return nil
}
