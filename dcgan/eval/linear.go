package eval

import (
	"math"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// linear is nn.Linear: y = x·Wᵀ + b for x [n, in], with W [out, in] as PyTorch stores it.
// The weights and their gradients are slices of the classifier's arenas.
type linear struct {
	in, out      int
	w, b, gw, gb []float32
}

// forward sets y ([n, out]) from x ([n, in]).
func (l *linear) forward(x, y []float32, n int) {
	ref.Sgemm(false, true, n, l.out, l.in, 1, x, l.in, l.w, l.in, 0, y, l.out)
	for i := 0; i < n; i++ {
		row := y[i*l.out:][:l.out]
		for j := range row {
			row[j] += l.b[j]
		}
	}
}

// backward sets gw = dyᵀ·x, gb = Σ_n dy and, unless dx is nil, dx = dy·W.
func (l *linear) backward(x, dy, dx []float32, n int) {
	ref.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, x, l.in, 0, l.gw, l.in)
	for j := 0; j < l.out; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += float64(dy[i*l.out+j])
		}
		l.gb[j] = float32(s)
	}
	if dx != nil {
		ref.Sgemm(false, false, n, l.in, l.out, 1, dy, l.out, l.w, l.in, 0, dx, l.in)
	}
}

// softmax sets each row of probs ([n, k]) to the softmax of the same row of logits,
// computed in float64 after subtracting the row's maximum.
func softmax(logits, probs []float32, n int) {
	k := len(logits) / n
	for i := 0; i < n; i++ {
		row, p := logits[i*k:][:k], probs[i*k:][:k]
		hi := row[argmax(row)]
		var z float64
		for j, v := range row {
			e := math.Exp(float64(v - hi))
			p[j] = float32(e)
			z += e
		}
		for j := range p {
			p[j] = float32(float64(p[j]) / z)
		}
	}
}

// crossEntropy returns the mean over the n rows of −log softmax(logits)[label], computed
// stably (log-sum-exp after subtracting the row's maximum). If dlogits is not nil it is
// set to the gradient, (softmax − onehot(label))/n.
func crossEntropy(logits []float32, labels []uint8, n int, dlogits []float32) float64 {
	k := len(logits) / n
	var loss float64
	for i := 0; i < n; i++ {
		row := logits[i*k:][:k]
		hi := float64(row[argmax(row)])
		var z float64
		for _, v := range row {
			z += math.Exp(float64(v) - hi)
		}
		lse := hi + math.Log(z)
		loss += lse - float64(row[labels[i]])
		if dlogits == nil {
			continue
		}
		d := dlogits[i*k:][:k]
		for j, v := range row {
			p := math.Exp(float64(v) - lse)
			if j == int(labels[i]) {
				p--
			}
			d[j] = float32(p / float64(n))
		}
	}
	return loss / float64(n)
}
