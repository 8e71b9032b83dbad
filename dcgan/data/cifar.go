package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const (
	cifarSide   = 32
	cifarPlane  = cifarSide * cifarSide
	cifarRecord = 1 + 3*cifarPlane // label, then R, G and B planes
)

// cifarSource is CIFAR-10 records held in memory as read from the files.
type cifarSource struct {
	name           string
	n              int
	records        []uint8 // n × cifarRecord
	labels         []uint8
	size, channels int
	rs             *resizer
	gray           chan []uint8 // free list of 32×32 planes for the luma conversion
}

func (s *cifarSource) Name() string    { return s.name }
func (s *cifarSource) Len() int        { return s.n }
func (s *cifarSource) Channels() int   { return s.channels }
func (s *cifarSource) Size() int       { return s.size }
func (s *cifarSource) Labels() []uint8 { return s.labels }

func (s *cifarSource) Read(i int, dst []uint8) error {
	if err := checkDst(s, i, dst); err != nil {
		return err
	}
	rec := s.records[i*cifarRecord+1 : (i+1)*cifarRecord]
	out := s.size * s.size
	if s.channels == 3 {
		for c := range 3 {
			s.rs.plane(rec[c*cifarPlane:(c+1)*cifarPlane], dst[c*out:(c+1)*out])
		}
		return nil
	}
	var g []uint8
	select {
	case g = <-s.gray:
	default:
		g = make([]uint8, cifarPlane)
	}
	for j := range g {
		g[j] = luma(rec[j], rec[cifarPlane+j], rec[2*cifarPlane+j])
	}
	s.rs.plane(g, dst)
	select {
	case s.gray <- g:
	default:
	}
	return nil
}

// openCIFAR reads CIFAR-10 binary batches: path is one batch file, or a directory holding
// data_batch_*.bin (train) and test_batch.bin (test), directly or in the tarball's
// cifar-10-batches-bin/ folder.
func openCIFAR(path string, test bool, size, channels int) (Source, error) {
	files, err := cifarFiles(path, test)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if err := checkCIFARLen(f, st.Size()); err != nil {
			return nil, err
		}
		total += st.Size()
	}
	records := make([]uint8, 0, total)
	labels := make([]uint8, 0, total/cifarRecord)
	for _, f := range files {
		n0 := len(records)
		if records, err = appendFile(records, f); err != nil {
			return nil, err
		}
		lab, err := decodeCIFAR(records[n0:], f)
		if err != nil {
			return nil, err
		}
		labels = append(labels, lab...)
	}
	name := "cifar10 " + path
	if len(files) > 1 {
		name = fmt.Sprintf("cifar10 %s (%d files)", path, len(files))
	}
	return newCIFARSource(fmt.Sprintf("%s (%d images)", name, len(labels)), records, labels,
		size, channels), nil
}

// newCIFARSource serves checked records.
func newCIFARSource(name string, records, labels []uint8, size, channels int) *cifarSource {
	return &cifarSource{
		name:    name,
		n:       len(labels),
		records: records, labels: labels,
		size: size, channels: channels,
		rs:   newResizer(cifarSide, cifarSide, size),
		gray: make(chan []uint8, 64),
	}
}

// cifarFiles lists the batch files of a split.
func cifarFiles(path string, test bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		if test {
			return nil, fmt.Errorf("%w: split test needs a directory, %s is a file",
				ErrOptions, path)
		}
		return []string{path}, nil
	}
	dir := path
	if sub := filepath.Join(path, "cifar-10-batches-bin"); isDir(sub) {
		dir = sub
	}
	if test {
		f := filepath.Join(dir, "test_batch.bin")
		if _, err := os.Stat(f); err != nil {
			return nil, missingErr(path, "no test_batch.bin in this directory")
		}
		return []string{f}, nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "data_batch_*.bin"))
	if len(files) == 0 {
		return nil, missingErr(path, "no data_batch_*.bin in this directory")
	}
	num := func(f string) int {
		s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "data_batch_"), ".bin")
		n, _ := strconv.Atoi(s)
		return n
	}
	sort.Slice(files, func(i, j int) bool { return num(files[i]) < num(files[j]) })
	return files, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// checkCIFARLen rejects a file that cannot hold whole records.
func checkCIFARLen(path string, n int64) error {
	if n == 0 {
		return formatErr(path, "empty file, want CIFAR-10 records of 3073 bytes", nil)
	}
	if n%cifarRecord != 0 {
		return formatErr(path, fmt.Sprintf("length %d is not a multiple of the CIFAR-10 "+
			"record (3073 bytes): truncated, or not a CIFAR-10 binary batch", n), nil)
	}
	return nil
}

// appendFile appends the whole file to buf, which has room for it.
func appendFile(buf []uint8, path string) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	n0 := len(buf)
	buf = buf[:cap(buf)]
	n, err := io.ReadFull(f, buf[n0:])
	buf = buf[:n0+n]
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return buf, formatErr(path, "reading", err)
	}
	return buf, nil
}

// decodeCIFAR checks the CIFAR-10 records of one file and returns their labels.
func decodeCIFAR(records []uint8, path string) ([]uint8, error) {
	if err := checkCIFARLen(path, int64(len(records))); err != nil {
		return nil, err
	}
	n := len(records) / cifarRecord
	labels := make([]uint8, n)
	for i := range n {
		l := records[i*cifarRecord]
		if l > 9 {
			return nil, formatErr(path, fmt.Sprintf("record %d has label %d, want 0..9: not "+
				"a CIFAR-10 binary batch", i, l), nil)
		}
		labels[i] = l
	}
	return labels, nil
}
