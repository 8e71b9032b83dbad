package eval

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is the mean and covariance of a set of feature vectors.
type Gaussian struct {
	N    int           // vectors it was fitted to
	Mean []float64     // [d]
	Cov  *mat.SymDense // d×d, unbiased (divided by N−1)
}

// FitGaussian fits a Gaussian to n row vectors of length d (x is [n, d]), in float64 with
// the mean subtracted first.
func FitGaussian(x []float32, n, d int) (Gaussian, error) {
	if n < 2 || d < 1 || len(x) != n*d {
		return Gaussian{}, fmt.Errorf("eval: fit a gaussian to %d values as %d×%d: need two "+
			"vectors or more", len(x), n, d)
	}
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		row := centred.RawRowView(i)
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = float64(v) - mean[j]
		}
	}
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), centred.T())
	return Gaussian{N: n, Mean: mean, Cov: cov}, nil
}

// FrechetDistance is the squared 2-Wasserstein distance between two Gaussians,
//
//	‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½),
//
// the quantity FID reports. tr((Σ₁Σ₂)^½) is computed as tr((Σ₁^½ Σ₂ Σ₁^½)^½): the two
// matrices are similar, and the second is symmetric positive semi-definite, so both square
// roots come from symmetric eigendecompositions, with the tiny negative eigenvalues that
// rounding leaves on singular covariances clamped to zero. No complex parts or
// regularisation are needed, unlike a general matrix square root of Σ₁Σ₂.
func FrechetDistance(a, b Gaussian) (float64, error) {
	d := len(a.Mean)
	if d == 0 || len(b.Mean) != d || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("eval: frechet distance of gaussians of dimensions %d and %d",
			len(a.Mean), len(b.Mean))
	}
	var dist float64
	for i := range a.Mean {
		diff := a.Mean[i] - b.Mean[i]
		dist += diff * diff
	}

	rootA, err := symSqrt(a.Cov)
	if err != nil {
		return 0, err
	}
	var prod mat.Dense
	prod.Mul(rootA, b.Cov)
	prod.Mul(&prod, rootA)
	m := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			m.SetSym(i, j, (prod.At(i, j)+prod.At(j, i))/2) // symmetric up to rounding
		}
	}
	var es mat.EigenSym
	if !es.Factorize(m, false) {
		return 0, fmt.Errorf("eval: eigendecomposition of a %d×%d matrix failed", d, d)
	}
	vals := es.Values(nil)
	var trRoot float64
	for _, v := range vals {
		trRoot += math.Sqrt(max(v, 0))
	}
	return dist + mat.Trace(a.Cov) + mat.Trace(b.Cov) - 2*trRoot, nil
}

// symSqrt returns the symmetric square root of a positive semi-definite matrix.
func symSqrt(s *mat.SymDense) (*mat.SymDense, error) {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, fmt.Errorf("eval: eigendecomposition of a %d×%d covariance failed",
			s.SymmetricDim(), s.SymmetricDim())
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	d := len(vals)
	scaled := mat.DenseCopyOf(&v)
	for j, l := range vals {
		r := math.Sqrt(max(l, 0))
		for i := 0; i < d; i++ {
			scaled.Set(i, j, scaled.At(i, j)*r)
		}
	}
	var root mat.Dense
	root.Mul(scaled, v.T())
	out := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			out.SetSym(i, j, (root.At(i, j)+root.At(j, i))/2)
		}
	}
	return out, nil
}
