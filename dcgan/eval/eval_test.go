package eval

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// fixture is what the tests below share: the shipped classifier and its output on the
// MNIST test set (computed once per process by shippedOnTest).
var fixture struct {
	clf  *Classifier
	test digits
	out  Output
	g    Gaussian
}

func setupShipped(t *testing.T) {
	t.Helper()
	if fixture.clf != nil {
		return
	}
	clf, err := Shipped(256)
	if err != nil {
		t.Fatal(err)
	}
	test, err := mnist32("test")
	if err != nil {
		t.Fatal(err)
	}
	out, g, err := shippedOnTest()
	if err != nil {
		t.Fatal(err)
	}
	fixture.clf, fixture.test, fixture.out, fixture.g = clf, test, out, g
}

// evaluator builds an Evaluator on the shared test-set features.
func evaluator(t *testing.T) *Evaluator {
	setupShipped(t)
	return &Evaluator{clf: fixture.clf, test: fixture.g}
}

// TestShippedAccuracy: the weights that ship classify the MNIST test set above 98%, as
// the issue asks (the file records 98.95%).
func TestShippedAccuracy(t *testing.T) {
	setupShipped(t)
	if acc := fixture.out.Accuracy(fixture.test.labels); acc < 0.98 {
		t.Errorf("test accuracy %.4f, want > 0.98", acc)
	}
}

// halves fits Gaussians to the features of two random halves of the test set. (Its first
// and second 5000 images are not alike: MNIST took them from two groups of writers, and
// their FD is ten times the floor.)
func halves(t *testing.T) (a, b Gaussian) {
	const half = 5000
	var fa, fb []float32
	for k, i := range permutation(fixture.out.N, 7, 0) {
		f := fixture.out.Feats[i*FeatureDim : (i+1)*FeatureDim]
		if k < half {
			fa = append(fa, f...)
		} else {
			fb = append(fb, f...)
		}
	}
	a, err := FitGaussian(fa, half, FeatureDim)
	if err != nil {
		t.Fatal(err)
	}
	b, err = FitGaussian(fb, fixture.out.N-half, FeatureDim)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestRealNearFloorNoiseFar: two disjoint halves of the test set are as close as training
// digits are to the test set (the floor), and noise images are far from both.
func TestRealNearFloorNoiseFar(t *testing.T) {
	ev := evaluator(t)
	a, b := halves(t)
	realFD, err := FrechetDistance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	floor, err := ev.Floor(5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	ceiling, err := ev.Ceiling(1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FD: test half vs half %.3f, floor %.3f, noise %.1f", realFD, floor.FD, ceiling.FD)

	// Real against real differs only by sampling (and train/test shift): the same order.
	if !(realFD < 3*floor.FD && floor.FD < 3*realFD) {
		t.Errorf("FD of test halves %.3f is not near the floor %.3f", realFD, floor.FD)
	}
	if !(ceiling.FD > 50*max(realFD, floor.FD)) {
		t.Errorf("noise FD %.3f is not far above the floor %.3f", ceiling.FD, floor.FD)
	}
	if floor.Covered != NumClasses || floor.KL > 0.01 || floor.Score < 9 {
		t.Errorf("floor: %d classes, KL %.4f, score %.3f; want 10, ≈ 0, > 9",
			floor.Covered, floor.KL, floor.Score)
	}
	if ceiling.Score > 3 {
		t.Errorf("noise images score %.3f, want near 1", ceiling.Score)
	}
}

// TestOneClassGenerator: a "generator" that draws only test images of the digit 3 covers
// one class, has a KL to uniform near ln 10 and a score near 1, and a large FD.
func TestOneClassGenerator(t *testing.T) {
	ev := evaluator(t)
	const px = InputSize * InputSize
	var threes []float32
	for i, l := range fixture.test.labels {
		if l != 3 {
			continue
		}
		for _, v := range fixture.test.imgs[i*px : (i+1)*px] {
			threes = append(threes, float32(v)/255*2-1) // exactly the byte after ToDigits
		}
	}
	next := 0
	gen := func(z *tensor.Dense) (*tensor.Dense, error) {
		n := z.Shape()[0]
		img := make([]float32, n*px)
		for i := 0; i < n; i++ {
			k := next % (len(threes) / px)
			copy(img[i*px:], threes[k*px:(k+1)*px])
			next++
		}
		return tensor.New(tensor.WithShape(n, 1, InputSize, InputSize), tensor.WithBacking(img)), nil
	}
	s, err := ev.Evaluate(gen, 8, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b := halves(t)
	realFD, _ := FrechetDistance(a, b)
	t.Logf("only threes: %d classes, KL %.3f, score %.3f, FD %.2f (real %.3f); shares %s",
		s.Covered, s.KL, s.Score, s.FD, realFD, s.SharesString())
	if s.Covered != 1 || s.KL < 0.9*math.Log(NumClasses) || s.Score > 1.5 {
		t.Errorf("one digit: %d classes, KL %.3f, score %.3f; want 1, ≈ ln 10, ≈ 1",
			s.Covered, s.KL, s.Score)
	}
	if !(s.FD > 20*realFD) {
		t.Errorf("one digit: FD %.3f is not far above real against real %.3f", s.FD, realFD)
	}

	// The training loop's hook gives the same numbers under the metrics keys.
	next = 0
	extra, err := ev.TrainHook(8, 1000)(gen)
	if err != nil {
		t.Fatal(err)
	}
	if extra[KeyCovered] != 1 || extra[KeyFD] != s.FD || extra[KeyKL] != s.KL ||
		extra[KeyScore] != s.Score {
		t.Errorf("hook returned %v, want the scores %+v", extra, s)
	}
}

// TestToDigits: gray, RGB and resized inputs reach the classifier as the same bytes.
func TestToDigits(t *testing.T) {
	setupShipped(t)
	const px = InputSize * InputSize
	src := fixture.test.imgs[:2*px]
	gray := make([]float32, len(src))
	for i, v := range src {
		gray[i] = float32(v)/255*2 - 1
	}
	got, err := ToDigits(tensor.New(tensor.WithShape(2, 1, 32, 32), tensor.WithBacking(gray)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range src {
		if got[i] != src[i] {
			t.Fatalf("gray byte %d: %d after ToDigits, was %d", i, got[i], src[i])
		}
	}
	rgb := make([]float32, 0, 3*len(gray))
	for i := 0; i < 2; i++ {
		for c := 0; c < 3; c++ {
			rgb = append(rgb, gray[i*px:(i+1)*px]...)
		}
	}
	got, err = ToDigits(tensor.New(tensor.WithShape(2, 3, 32, 32), tensor.WithBacking(rgb)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range src {
		if got[i] != src[i] {
			t.Fatalf("RGB of equal planes, byte %d: %d, want %d", i, got[i], src[i])
		}
	}
	// 64×64 made of 2×2 blocks of the 32×32 image shrinks back to it within a level or
	// two (the antialiasing filter reaches into the neighbouring blocks).
	big := make([]float32, 64*64)
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			big[y*64+x] = gray[(y/2)*32+x/2]
		}
	}
	got, err = ToDigits(tensor.New(tensor.WithShape(1, 1, 64, 64), tensor.WithBacking(big)))
	if err != nil {
		t.Fatal(err)
	}
	var diff float64
	for i := 0; i < px; i++ {
		diff += math.Abs(float64(got[i]) - float64(src[i]))
	}
	if diff/px > 16 {
		t.Errorf("64×64 → 32×32: mean absolute difference %.1f levels", diff/px)
	}
	two := tensor.New(tensor.WithShape(1, 2, 4, 4), tensor.WithBacking(make([]float32, 32)))
	if _, err := ToDigits(two); err == nil {
		t.Error("two-channel images: no error")
	}
}
