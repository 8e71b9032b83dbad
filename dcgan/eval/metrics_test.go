package eval

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func gaussian(mean []float64, cov ...float64) Gaussian {
	d := len(mean)
	return Gaussian{N: 100, Mean: mean, Cov: mat.NewSymDense(d, cov)}
}

// TestFrechetClosedForm checks FrechetDistance against cases with a closed form.
func TestFrechetClosedForm(t *testing.T) {
	// Two 2×2 covariances that do not commute: for a 2×2 matrix M with positive
	// eigenvalues, tr √M = √(tr M + 2√det M), and det(Σ₁Σ₂) = det Σ₁ det Σ₂.
	s1 := []float64{2, 1, 1, 3}
	s2 := []float64{1, -0.5, -0.5, 2}
	var p mat.Dense
	p.Mul(mat.NewDense(2, 2, s1), mat.NewDense(2, 2, s2))
	det1, det2 := 2*3-1*1.0, 1*2-0.25
	trRoot := math.Sqrt(mat.Trace(&p) + 2*math.Sqrt(det1*det2))
	nonCommuting := 1*1 + 2*2 + (2 + 3) + (1 + 2) - 2*trRoot

	cases := []struct {
		name string
		a, b Gaussian
		want float64
	}{
		// 1-D: (μ₁−μ₂)² + (σ₁−σ₂)².
		{"1-D", gaussian([]float64{1}, 4), gaussian([]float64{3}, 1), 4 + 1},
		// Diagonal: the 1-D case summed over the axes.
		{"diagonal", gaussian([]float64{0, 1, 2}, 9, 0, 0, 0, 1, 0, 0, 0, 0.25),
			gaussian([]float64{1, 1, 0}, 1, 0, 0, 0, 1, 0, 0, 0, 4),
			1 + 4 + 0 + 0 + 4 + 2.25},
		// Equal Gaussians with a singular covariance: zero, not NaN.
		{"equal singular", gaussian([]float64{1, 2}, 1, 1, 1, 1),
			gaussian([]float64{1, 2}, 1, 1, 1, 1), 0},
		{"non-commuting 2×2", gaussian([]float64{0, 0}, s1...),
			gaussian([]float64{1, 2}, s2...), nonCommuting},
	}
	for _, c := range cases {
		got, err := FrechetDistance(c.a, c.b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// The eigendecompositions are accurate to a few ulps of the largest eigenvalue.
		if math.Abs(got-c.want) > 1e-9*(1+math.Abs(c.want)) {
			t.Errorf("%s: FD %.15g, want %.15g", c.name, got, c.want)
		}
		back, _ := FrechetDistance(c.b, c.a)
		if math.Abs(back-got) > 1e-9*(1+math.Abs(got)) {
			t.Errorf("%s: FD is not symmetric: %g one way, %g the other", c.name, got, back)
		}
	}
	oneD, twoD := gaussian([]float64{1}, 1), gaussian([]float64{1, 2}, 1, 0, 0, 1)
	if _, err := FrechetDistance(oneD, twoD); err == nil {
		t.Error("FD of gaussians of different dimensions: no error")
	}
}

// TestFitGaussian checks the mean and the unbiased covariance on a hand-computed case.
func TestFitGaussian(t *testing.T) {
	// Points (1, 2), (3, 2), (2, 5): mean (2, 3); deviations (−1,−1), (1,−1), (0, 2).
	g, err := FitGaussian([]float32{1, 2, 3, 2, 2, 5}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{(1 + 1 + 0) / 2.0, (1 - 1 + 0) / 2.0, (1 + 1 + 4) / 2.0}
	got := []float64{g.Cov.At(0, 0), g.Cov.At(0, 1), g.Cov.At(1, 1)}
	if g.Mean[0] != 2 || g.Mean[1] != 3 || got[0] != want[0] || got[1] != want[1] ||
		got[2] != want[2] {
		t.Errorf("mean %v cov %v, want (2, 3) and %v", g.Mean, got, want)
	}
	if _, err := FitGaussian([]float32{1, 2}, 1, 2); err == nil {
		t.Error("a gaussian fitted to one vector: no error")
	}
}

// TestClassifierScore checks the score's two ends and a case in between.
func TestClassifierScore(t *testing.T) {
	const k = NumClasses
	uniform := make([]float32, 4*k)
	for i := range uniform {
		uniform[i] = 1.0 / k
	}
	oneHot := func(classes ...int) []float32 {
		p := make([]float32, len(classes)*k)
		for i, c := range classes {
			p[i*k+c] = 1
		}
		return p
	}
	allTen := oneHot(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	// Two classes, each image certain: p(y) is ½ on each, KL = ln 2 for every image.
	cases := []struct {
		name  string
		probs []float32
		want  float64
	}{
		{"undecided", uniform, 1},
		{"one class", oneHot(3, 3, 3), 1},
		{"ten classes, certain", allTen, 10},
		{"two classes", oneHot(1, 7, 1, 7), 2},
	}
	for _, c := range cases {
		got := ClassifierScore(c.probs, len(c.probs)/k)
		if math.Abs(got-c.want) > 1e-6*c.want {
			t.Errorf("%s: score %g, want %g", c.name, got, c.want)
		}
	}
}

// TestCoverage checks the shares, the covered count against CoverShare, and the KL.
func TestCoverage(t *testing.T) {
	// 20 images: 10 of class 0, 9 of class 1, 1 of class 2 (5%: exactly CoverShare).
	pred := make([]int, 20)
	for i := 10; i < 19; i++ {
		pred[i] = 1
	}
	pred[19] = 2
	shares, covered, kl := Coverage(pred)
	if shares[0] != 0.5 || shares[1] != 0.45 || shares[2] != 0.05 || covered != 3 {
		t.Errorf("shares %v covered %d, want 0.5, 0.45, 0.05 and 3", shares[:3], covered)
	}
	want := 0.5*math.Log(5) + 0.45*math.Log(4.5) + 0.05*math.Log(0.5)
	if math.Abs(kl-want) > 1e-12 {
		t.Errorf("KL %g, want %g", kl, want)
	}
	if _, c, kl := Coverage([]int{4, 4, 4}); c != 1 || math.Abs(kl-math.Log(10)) > 1e-12 {
		t.Errorf("one class: covered %d, KL %g; want 1 and ln 10", c, kl)
	}
}
