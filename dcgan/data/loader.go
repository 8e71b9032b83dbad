package data

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gorgonia.org/tensor"
)

// prefetch is the number of batches in the loader's ring: the one the caller holds plus
// two being filled ahead.
const prefetch = 3

// Loader reads batches of a Source in a seeded, per-epoch shuffled order, on worker
// goroutines that fill the next batches while the caller computes on the current one.
//
// An epoch is a permutation of the source's indices that depends only on (seed, epoch);
// it is cut into BatchesPerEpoch() batches, and the last len%batch images of the
// permutation are left out of that epoch (PyTorch's drop_last=True), so every batch has
// the same shape. Batches are numbered by (epoch, pos), pos counting batches from 0
// within the epoch; a Loader started at (epoch, pos) returns exactly the batches a
// Loader started earlier returns from that point on.
//
// A Loader is used by one goroutine. Close stops its workers.
type Loader struct {
	src      Source
	batch    int
	seed     uint64
	perEpoch int
	per      int // bytes per image

	epoch, pos int // of the batch the next Next returns
	seq        int // batches returned so far
	held       int // ring slot the caller holds, or -1
	err        error

	slots   [prefetch]slot
	free    chan int
	tasks   chan task
	stop    chan struct{}
	wg      sync.WaitGroup
	closing sync.Once
	closed  bool

	perm []int32 // the feeder's current epoch permutation
	rng  rand.PCG
}

// slot is one batch of the ring.
type slot struct {
	t       *tensor.Dense
	buf     []uint8
	idx     []int32       // source indices of the batch's images
	pending atomic.Int32  // tasks not finished
	mu      sync.Mutex    // guards err while workers run
	err     error         // first Read error of the batch
	done    chan struct{} // receives once when every task has finished
}

// task asks a worker for images [from, to) of a slot.
type task struct {
	slot, from, to int
}

// NewLoader starts a loader over src giving batches of batch images, starting at batch pos
// of epoch, shuffled with seed. workers goroutines read images (0 means GOMAXPROCS).
func NewLoader(src Source, batch int, seed uint64, epoch, pos, workers int) (*Loader, error) {
	n := src.Len()
	switch {
	case batch < 1:
		return nil, fmt.Errorf("%w: batch size must be positive, got %d", ErrOptions, batch)
	case batch > n:
		return nil, fmt.Errorf("%w: batch size %d is larger than the data set (%d images in %s)",
			ErrOptions, batch, n, src.Name())
	case n > 1<<31-1:
		return nil, fmt.Errorf("%w: %d images, more than the loader indexes", ErrOptions, n)
	case workers < 0:
		return nil, fmt.Errorf("%w: workers must not be negative, got %d", ErrOptions, workers)
	}
	perEpoch := n / batch
	if epoch < 0 || pos < 0 || pos >= perEpoch {
		return nil, fmt.Errorf("%w: start at epoch %d batch %d: want epoch >= 0 and batch in "+
			"[0, %d)", ErrOptions, epoch, pos, perEpoch)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	c, s := src.Channels(), src.Size()
	l := &Loader{
		src: src, batch: batch, seed: seed, perEpoch: perEpoch, per: c * s * s,
		epoch: epoch, pos: pos, held: -1,
		free: make(chan int, prefetch),
		stop: make(chan struct{}),
		perm: make([]int32, n),
	}
	chunk := min(max(batch/(4*workers), 1), 16)
	ntask := (batch + chunk - 1) / chunk
	l.tasks = make(chan task, prefetch*ntask)
	for i := range l.slots {
		sl := &l.slots[i]
		sl.buf = make([]uint8, batch*l.per)
		sl.t = tensor.New(tensor.WithShape(batch, c, s, s), tensor.WithBacking(sl.buf))
		sl.idx = make([]int32, batch)
		sl.done = make(chan struct{}, 1)
		l.free <- i
	}

	l.wg.Add(1 + workers)
	go l.feed(epoch, pos, chunk)
	for range workers {
		go l.work()
	}
	return l, nil
}

// BatchesPerEpoch is Len()/batch: the incomplete last batch is dropped.
func (l *Loader) BatchesPerEpoch() int { return l.perEpoch }

// Position returns the epoch and the batch within it that the next Next returns: what to
// pass to NewLoader to resume after the batches taken so far.
func (l *Loader) Position() (epoch, pos int) { return l.epoch, l.pos }

// Next returns the next batch, uint8 [N, C, H, W]. The tensor and its backing slice stay
// valid until the following call to Next or Close, after which the loader refills them.
// A Read error from the source is returned, and returned again by every later call.
// In steady state Next allocates nothing (for sources whose Read allocates nothing).
func (l *Loader) Next() (*tensor.Dense, error) {
	if l.closed {
		return nil, ErrClosed
	}
	if l.err != nil {
		return nil, l.err
	}
	if l.held >= 0 {
		l.free <- l.held
		l.held = -1
	}
	k := l.seq % prefetch
	sl := &l.slots[k]
	<-sl.done
	if sl.err != nil {
		l.err = sl.err
		return nil, l.err
	}
	l.held = k
	l.seq++
	if l.pos++; l.pos == l.perEpoch {
		l.epoch, l.pos = l.epoch+1, 0
	}
	return sl.t, nil
}

// Close stops the workers and waits for them. It is safe to call twice.
func (l *Loader) Close() error {
	l.closing.Do(func() {
		close(l.stop)
		l.wg.Wait()
		l.closed = true
	})
	return nil
}

// feed hands out the batches in order, each as soon as its ring slot is free.
func (l *Loader) feed(epoch, pos, chunk int) {
	defer l.wg.Done()
	defer close(l.tasks)
	l.shuffle(epoch)
	for {
		var k int
		select {
		case k = <-l.free:
		case <-l.stop:
			return
		}
		sl := &l.slots[k]
		copy(sl.idx, l.perm[pos*l.batch:(pos+1)*l.batch])
		sl.err = nil
		ntask := (l.batch + chunk - 1) / chunk
		sl.pending.Store(int32(ntask))
		for from := 0; from < l.batch; from += chunk {
			select {
			case l.tasks <- task{slot: k, from: from, to: min(from+chunk, l.batch)}:
			case <-l.stop:
				return
			}
		}
		if pos++; pos == l.perEpoch {
			epoch, pos = epoch+1, 0
			l.shuffle(epoch)
		}
	}
}

// work reads images into slots until the feeder stops.
func (l *Loader) work() {
	defer l.wg.Done()
	for t := range l.tasks {
		sl := &l.slots[t.slot]
		for j := t.from; j < t.to; j++ {
			if err := l.src.Read(int(sl.idx[j]), sl.buf[j*l.per:(j+1)*l.per]); err != nil {
				sl.mu.Lock()
				if sl.err == nil {
					sl.err = err
				}
				sl.mu.Unlock()
				break
			}
		}
		if sl.pending.Add(-1) == 0 {
			sl.done <- struct{}{}
		}
	}
}

// shuffle sets perm to epoch's permutation: a Fisher-Yates shuffle of 0..n-1 driven by
// PCG seeded with (seed, epoch), with Lemire's unbiased bounded integers. Both are spelled
// out here so that the order cannot change with the Go release.
func (l *Loader) shuffle(epoch int) {
	for i := range l.perm {
		l.perm[i] = int32(i)
	}
	l.rng.Seed(l.seed, uint64(epoch))
	for i := len(l.perm) - 1; i > 0; i-- {
		j := l.below(uint64(i + 1))
		l.perm[i], l.perm[j] = l.perm[j], l.perm[i]
	}
}

// below returns a uniform integer in [0, n).
func (l *Loader) below(n uint64) uint64 {
	hi, lo := bits.Mul64(l.rng.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(l.rng.Uint64(), n)
		}
	}
	return hi
}
