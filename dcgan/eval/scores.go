package eval

import (
	"fmt"
	"math"
	"strings"
)

// CoverShare is the share of the images a class needs to count as covered: half of its
// share under a uniform spread (5% for ten digits). MNIST's own classes hold 9–11% each,
// so real digits cover all ten; a generator that drops a digit or draws it rarely does not.
const CoverShare = 0.5 / NumClasses

// Scores are the quality numbers of one set of images.
type Scores struct {
	N          int                 `json:"n"`          // images scored
	FD         float64             `json:"fd"`         // to the MNIST test set; lower is better
	Score      float64             `json:"score"`      // classifier score in [1, 10]
	Shares     [NumClasses]float64 `json:"shares"`     // of the images predicted as each digit
	Covered    int                 `json:"classes"`    // digits with a share ≥ CoverShare
	KL         float64             `json:"kl_uniform"` // KL(Shares ‖ uniform), nats, 0…ln 10
	Confidence float64             `json:"confidence"` // mean probability of the predicted class
}

// Extra returns the scores under the metrics log's keys, for dcgan.MetricRecord.Extra.
func (s Scores) Extra() map[string]float64 {
	return map[string]float64{
		KeyFD:      s.FD,
		KeyScore:   s.Score,
		KeyCovered: float64(s.Covered),
		KeyKL:      s.KL,
	}
}

// Keys of the scores in the metrics log.
const (
	KeyFD      = "eval_fd"
	KeyScore   = "eval_score"
	KeyCovered = "eval_classes"
	KeyKL      = "eval_kl"
)

// SharesString lists the class shares as "0 9.8% 1 11.2% …".
func (s Scores) SharesString() string {
	var b strings.Builder
	for k, v := range s.Shares {
		if k > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d:%.1f%%", k, 100*v)
	}
	return b.String()
}

// ClassifierScore is exp(E_x[KL(p(y|x) ‖ p(y))]) over the n rows of probs ([n, k]), with
// p(y) their mean: the Inception score computed in one split. It is 1 when every image
// gets the same distribution and k when each is certain and the classes are equally
// frequent.
func ClassifierScore(probs []float32, n int) float64 {
	k := len(probs) / n
	marginal := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, p := range probs[i*k : (i+1)*k] {
			marginal[j] += float64(p)
		}
	}
	for j := range marginal {
		marginal[j] /= float64(n)
	}
	var kl float64
	for i := 0; i < n; i++ {
		for j, p := range probs[i*k : (i+1)*k] {
			if p > 0 {
				kl += float64(p) * (math.Log(float64(p)) - math.Log(marginal[j]))
			}
		}
	}
	return math.Exp(kl / float64(n))
}

// Coverage returns the share of each class among the predictions, the number of classes
// with a share of at least CoverShare, and the KL divergence of the shares from the
// uniform distribution, Σ s·ln(s·K), in nats.
func Coverage(pred []int) (shares [NumClasses]float64, covered int, kl float64) {
	for _, p := range pred {
		shares[p]++
	}
	for k := range shares {
		shares[k] /= float64(len(pred))
		if shares[k] >= CoverShare {
			covered++
		}
		if shares[k] > 0 {
			kl += shares[k] * math.Log(shares[k]*NumClasses)
		}
	}
	return shares, covered, kl
}

// meanConfidence is the mean over the rows of probs of their largest value.
func meanConfidence(probs []float32, n int) float64 {
	k := len(probs) / n
	var s float64
	for i := 0; i < n; i++ {
		row := probs[i*k : (i+1)*k]
		s += float64(row[argmax(row)])
	}
	return s / float64(n)
}
