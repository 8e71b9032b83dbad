//go:build cuda

package cuda

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Tolerances. FP32 (CUDNN_FMA_MATH) differs from the float64 references below only by
// float32 rounding in a different summation order: each output sums at most 27 products of
// values in [-1, 1], so the error stays below 27 · 2^-24 · 27 ≈ 5e-5; we allow 1e-4 absolute
// plus 1e-4 relative. Batch norm divides by a standard deviation of about 0.58 (uniform
// inputs), which at most doubles that.
const (
	atol = 1e-4
	rtol = 1e-4
)

func randSlice(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

func checkClose(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > atol+rtol*math.Abs(want[i]) {
			t.Fatalf("%s[%d]: got %v, want %v (diff %.3g)", what, i, got[i], want[i], d)
		}
	}
}

// upload copies v into a new device buffer.
func upload(t *testing.T, v []float32) *Buffer {
	t.Helper()
	b, err := Alloc(int64(len(v)) * 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := Upload(b.Ptr(), v, nil); err != nil {
		t.Fatal(err)
	}
	return b
}

func download(t *testing.T, b *Buffer) []float32 {
	t.Helper()
	v := make([]float32, b.Size()/4)
	if err := Download(v, b.Ptr(), nil); err != nil {
		t.Fatal(err)
	}
	return v
}

// refConv computes the cross-correlation y[n,k,p,q] = Σ x[n,c,p·s-pad+r, q·s-pad+u]·w[k,c,r,u]
// and its two gradients by the same index map, in float64.
func refConv(g ConvGeom, x, w, dy []float32) (y, dx, dw []float64) {
	P, Q := g.P(), g.Q()
	y = make([]float64, g.N*g.K*P*Q)
	dx = make([]float64, len(x))
	dw = make([]float64, len(w))
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			for p := 0; p < P; p++ {
				for q := 0; q < Q; q++ {
					yi := ((n*g.K+k)*P+p)*Q + q
					for c := 0; c < g.C; c++ {
						for r := 0; r < g.R; r++ {
							for u := 0; u < g.S; u++ {
								h, wc := p*g.Stride-g.Pad+r, q*g.Stride-g.Pad+u
								if h < 0 || h >= g.H || wc < 0 || wc >= g.W {
									continue
								}
								xi := ((n*g.C+c)*g.H+h)*g.W + wc
								wi := ((k*g.C+c)*g.R+r)*g.S + u
								y[yi] += float64(x[xi]) * float64(w[wi])
								dx[xi] += float64(dy[yi]) * float64(w[wi])
								dw[wi] += float64(dy[yi]) * float64(x[xi])
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

func TestCUDNNVersion(t *testing.T) {
	open(t)
	v, cudart, err := CUDNNVersion()
	if err != nil || v < MinCUDNN {
		t.Fatalf("cuDNN %d: %v", v, err)
	}
	t.Logf("cuDNN %s (built for CUDA runtime %d), headers %s", CUDNNVersionString(v), cudart,
		CUDNNVersionString(CUDNNHeaderVersion))
}

func TestConvAgainstReference(t *testing.T) {
	open(t)
	d, err := NewDNN(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(1, 2))

	for _, g := range []ConvGeom{
		{N: 2, C: 3, H: 6, W: 6, K: 4, R: 3, S: 3, Pad: 1, Stride: 2},
		{N: 3, C: 2, H: 8, W: 8, K: 5, R: 4, S: 4, Pad: 1, Stride: 2}, // DCGAN's k4 s2 p1
		{N: 2, C: 4, H: 4, W: 4, K: 1, R: 4, S: 4, Pad: 0, Stride: 1}, // D's last layer
	} {
		for _, search := range []AlgoSearch{AlgoHeuristic, AlgoMeasured} {
			c, err := NewConv(g, MathFP32)
			if err != nil {
				t.Fatalf("%v: %v", g, err)
			}
			defer c.Close()
			x := upload(t, randSlice(r, g.N*g.C*g.H*g.W))
			w := upload(t, randSlice(r, g.K*g.C*g.R*g.S))
			dy := upload(t, randSlice(r, g.N*g.K*g.P()*g.Q()))
			y, _ := Alloc(dy.Size())
			defer y.Close()
			dx, _ := Alloc(x.Size())
			defer dx.Close()
			dw, _ := Alloc(w.Size())
			defer dw.Close()
			ws, _ := Alloc(64 << 20)
			defer ws.Close()

			pol := AlgoPolicy{Search: search, Deterministic: true, WorkspaceLimit: ws.Size()}
			scratch := ConvScratch{X: dx.Ptr(), W: dw.Ptr(), Y: y.Ptr(), Workspace: ws.Ptr(),
				WSBytes: ws.Size()}
			for dir := ConvFwd; dir <= ConvBwdFilter; dir++ {
				// Measured search writes its output: scratch aliases dx, dw and y, written below.
				sc := scratch
				sc.X, sc.W, sc.Y = x.Ptr(), w.Ptr(), dy.Ptr()
				switch dir {
				case ConvFwd:
					sc.Y = y.Ptr()
				case ConvBwdData:
					sc.X = dx.Ptr()
				case ConvBwdFilter:
					sc.W = dw.Ptr()
				}
				p, err := c.Choose(d, dir, pol, sc)
				if err != nil {
					t.Fatalf("%v %s: %v", g, dir, err)
				}
				if !p.Deterministic || p.Memory > ws.Size() {
					t.Errorf("%v %s: chose %+v against the policy", g, dir, p)
				}
			}

			if err := d.ConvForward(c, 1, x.Ptr(), w.Ptr(), 0, y.Ptr(), ws); err != nil {
				t.Fatal(err)
			}
			if err := d.ConvBackwardData(c, 1, w.Ptr(), dy.Ptr(), 0, dx.Ptr(), ws); err != nil {
				t.Fatal(err)
			}
			// Backward-filter twice with beta 1 the second time: the gradient doubles.
			if err := d.ConvBackwardFilter(c, 1, x.Ptr(), dy.Ptr(), 0, dw.Ptr(), ws); err != nil {
				t.Fatal(err)
			}
			if err := d.ConvBackwardFilter(c, 1, x.Ptr(), dy.Ptr(), 1, dw.Ptr(), ws); err != nil {
				t.Fatal(err)
			}
			wantY, wantDX, wantDW := refConv(g, download(t, x), download(t, w), download(t, dy))
			for i := range wantDW {
				wantDW[i] *= 2
			}
			checkClose(t, g.String()+" y", download(t, y), wantY)
			checkClose(t, g.String()+" dx", download(t, dx), wantDX)
			checkClose(t, g.String()+" dw", download(t, dw), wantDW)
		}
	}
}

func TestConvWorkspaceTooSmall(t *testing.T) {
	open(t)
	d, err := NewDNN(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := NewConv(ConvGeom{N: 1, C: 1, H: 4, W: 4, K: 1, R: 3, S: 3, Pad: 1, Stride: 1},
		MathFP32)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := d.ConvForward(c, 1, 0, 0, 0, 0, nil); !errors.Is(err, ErrArgs) {
		t.Errorf("forward before Choose: got %v, want ErrArgs", err)
	}
}

func TestCUDNNErrorNamesCall(t *testing.T) {
	open(t)
	if _, _, err := CUDNNVersion(); err != nil {
		t.Fatal(err)
	}
	_, err := newTensor4d(0, 1, 1, 1) // cuDNN rejects a zero dimension
	var ce *Error
	if !errors.As(err, &ce) || ce.Library != LibCUDNN || ce.Func != "cudnnSetTensor4dDescriptor" ||
		!strings.HasPrefix(ce.Name, "CUDNN_STATUS_BAD_PARAM") {
		t.Errorf("got %#v", err)
	}
}

func TestBatchNormAgainstReference(t *testing.T) {
	open(t)
	d, err := NewDNN(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const N, C, H, W, eps, momentum = 4, 3, 5, 5, 1e-5, 0.1
	b, err := NewBatchNorm(N, C, H, W)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := rand.New(rand.NewPCG(3, 4))
	xv, dyv := randSlice(r, N*C*H*W), randSlice(r, N*C*H*W)
	gamma, beta := randSlice(r, C), randSlice(r, C)
	rm, rv := randSlice(r, C), []float32{1, 0.5, 2}
	x, dy := upload(t, xv), upload(t, dyv)
	y, _ := Alloc(x.Size())
	defer y.Close()
	dx, _ := Alloc(x.Size())
	defer dx.Close()
	tn := BNTensors{Scale: upload(t, gamma).Ptr(), Bias: upload(t, beta).Ptr(),
		RunMean: upload(t, rm).Ptr(), RunVar: upload(t, rv).Ptr(),
		SaveMean: upload(t, make([]float32, C)).Ptr(), SaveInvStd: upload(t, make([]float32, C)).Ptr()}
	dg, db := upload(t, make([]float32, C)), upload(t, make([]float32, C))
	tn.DScale, tn.DBias = dg.Ptr(), db.Ptr()

	if err := d.BatchNormForwardTraining(b, tn, x.Ptr(), y.Ptr(), momentum, eps); err != nil {
		t.Fatal(err)
	}
	if err := d.BatchNormBackward(b, tn, x.Ptr(), dy.Ptr(), dx.Ptr(), false, eps); err != nil {
		t.Fatal(err)
	}

	M := N * H * W
	wantY, wantDX := make([]float64, len(xv)), make([]float64, len(xv))
	wantRM, wantRV, wantDG, wantDB := make([]float64, C), make([]float64, C),
		make([]float64, C), make([]float64, C)
	idx := func(n, c, i int) int { return (n*C+c)*H*W + i }
	for c := 0; c < C; c++ {
		var mean, v float64
		for n := 0; n < N; n++ {
			for i := 0; i < H*W; i++ {
				mean += float64(xv[idx(n, c, i)])
			}
		}
		mean /= float64(M)
		for n := 0; n < N; n++ {
			for i := 0; i < H*W; i++ {
				dd := float64(xv[idx(n, c, i)]) - mean
				v += dd * dd
			}
		}
		v /= float64(M) // biased: what normalises
		inv := 1 / math.Sqrt(v+eps)
		wantRM[c] = (1-momentum)*float64(rm[c]) + momentum*mean
		wantRV[c] = (1-momentum)*float64(rv[c]) + momentum*v*float64(M)/float64(M-1)
		for n := 0; n < N; n++ {
			for i := 0; i < H*W; i++ {
				j := idx(n, c, i)
				xh := (float64(xv[j]) - mean) * inv
				wantY[j] = xh*float64(gamma[c]) + float64(beta[c])
				wantDG[c] += float64(dyv[j]) * xh
				wantDB[c] += float64(dyv[j])
			}
		}
		for n := 0; n < N; n++ {
			for i := 0; i < H*W; i++ {
				j := idx(n, c, i)
				xh := (float64(xv[j]) - mean) * inv
				wantDX[j] = float64(gamma[c]) * inv / float64(M) *
					(float64(M)*float64(dyv[j]) - wantDB[c] - xh*wantDG[c])
			}
		}
	}
	checkClose(t, "y", download(t, y), wantY)
	checkClose(t, "dx", download(t, dx), wantDX)
	checkClose(t, "dgamma", download(t, dg), wantDG)
	checkClose(t, "dbeta", download(t, db), wantDB)
	rmGot, rvGot := make([]float32, C), make([]float32, C)
	Download(rmGot, tn.RunMean, nil)
	Download(rvGot, tn.RunVar, nil)
	checkClose(t, "running mean", rmGot, wantRM)
	checkClose(t, "running var (unbiased)", rvGot, wantRV)

	// Inference with the updated running statistics.
	if err := d.BatchNormForwardInference(b, tn, x.Ptr(), y.Ptr(), eps); err != nil {
		t.Fatal(err)
	}
	for c := 0; c < C; c++ {
		for n := 0; n < N; n++ {
			for i := 0; i < H*W; i++ {
				j := idx(n, c, i)
				wantY[j] = (float64(xv[j])-wantRM[c])/math.Sqrt(wantRV[c]+eps)*
					float64(gamma[c]) + float64(beta[c])
			}
		}
	}
	checkClose(t, "inference y", download(t, y), wantY)
}
