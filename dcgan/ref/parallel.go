package ref

import "sync"

// workers is how many goroutines split the memory-bound loops (im2col, col2im, batch
// norm). The machine this reference targets has two cores, and OpenBLAS already uses both
// for the GEMMs, so more would only oversubscribe.
const workers = 2

// fork runs one body on [0, n) split into two halves, the second half on a goroutine.
// The body and the goroutine's function are bound once at construction, so a run
// allocates nothing.
type fork struct {
	wg     sync.WaitGroup
	body   func(lo, hi int)
	n      int
	second func()
}

// newFork binds body; run(n) then calls body(0, n/2) and body(n/2, n) concurrently.
func newFork(body func(lo, hi int)) *fork {
	f := &fork{body: body}
	f.second = func() {
		defer f.wg.Done()
		f.body(f.n/2, f.n)
	}
	return f
}

// run calls the body over [0, n): in two concurrent halves if split is set and n > 1,
// else in one call on this goroutine.
func (f *fork) run(n int, split bool) {
	if n < 2 || !split {
		f.body(0, n)
		return
	}
	f.n = n
	f.wg.Add(1)
	go f.second()
	f.body(0, n/2)
	f.wg.Wait()
}
