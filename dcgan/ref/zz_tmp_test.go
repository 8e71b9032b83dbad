package ref

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestTmpIm2col(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, g := range []struct{ c, h, n int }{{64, 32, 16}, {128, 16, 64}, {3, 64, 1}, {256, 8, 64}} {
		cv := newConvCore(g.n, g.c, g.h, g.h, 8, 4, 2, 1)
		if g.n > cv.group { t.Logf("group %d", cv.group) }
		r := newRand(t)
		x := randn(r, g.n*g.c*g.h*g.h)
		cv.setGroup(0, cv.group)
		cv.img = x
		reps := 20
		t0 := threadCPU()
		for i := 0; i < reps; i++ {
			cv.im2colChannels(0, cv.c)
		}
		d := (threadCPU() - t0) / time.Duration(reps)
		t1 := threadCPU()
		for i := 0; i < reps; i++ {
			cv.col2imChannels(0, cv.c)
		}
		d2 := (threadCPU() - t1) / time.Duration(reps)
		t.Logf("C%d %dx%d g%d: im2col %v (%.2f ns/elem) col2im %v (%.2f ns/elem)", g.c, g.h, g.h, g.n, d,
			float64(d.Nanoseconds())/float64(len(cv.col)), d2, float64(d2.Nanoseconds())/float64(len(cv.col)))
	}
}
