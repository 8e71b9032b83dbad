package data

import "testing"

func benchRead(b *testing.B, opt Options) {
	src, err := Open(opt)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]uint8, src.Channels()*src.Size()*src.Size())
	b.ResetTimer()
	for i := range b.N {
		if err := src.Read(i%src.Len(), dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead_MNIST_32x32x1(b *testing.B) {
	benchRead(b, Options{Kind: "mnist", Size: 32, Channels: 1})
}

func BenchmarkRead_MNIST_64x64x3(b *testing.B) {
	benchRead(b, Options{Kind: "mnist", Size: 64, Channels: 3})
}

func BenchmarkRead_Synthetic_64x64x3(b *testing.B) {
	benchRead(b, Options{Kind: "synthetic", Size: 64, Channels: 3})
}

// BenchmarkLoader_MNIST_N128_32x32x1 reports img/s of the loader alone, two workers.
func BenchmarkLoader_MNIST_N128_32x32x1(b *testing.B) {
	src, err := Open(Options{Kind: "mnist", Size: 32, Channels: 1})
	if err != nil {
		b.Fatal(err)
	}
	l, err := NewLoader(src, 128, 1, 0, 0, 2)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := l.Next(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(128*b.N)/b.Elapsed().Seconds(), "img/s")
}
