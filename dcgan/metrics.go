package dcgan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// MetricRecord is one line of the metrics file: the numbers of one logged step.
type MetricRecord struct {
	Step      int64   // steps taken, this one included
	Epoch     int     // epoch of this step, from 0
	LossD     float64 // loss_d
	LossG     float64 // loss_g
	DX        float64 // d_x: mean D(x) on the real batch
	DGZ1      float64 // d_g_z1: mean D(G(z)) before D's update
	DGZ2      float64 // d_g_z2: mean D(G(z)) after it, as G saw it
	ImgPerSec float64 // img_s: 0 during warm-up
	Time      time.Time
	// Extra holds further numbers under their own JSON keys (evaluation scores, say). Keys
	// that collide with the fields above are rejected by Write.
	Extra map[string]float64
}

// metricKeys are the JSON keys of MetricRecord's fields, in the order they are written.
var metricKeys = []string{"step", "epoch", "loss_d", "loss_g", "d_x", "d_g_z1", "d_g_z2",
	"img_s", "time"}

// MarshalJSON writes the fixed fields in a fixed order, then Extra sorted by key. NaN and
// infinities become null (JSON has no numbers for them).
func (r MetricRecord) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"step":`)
	b.WriteString(strconv.FormatInt(r.Step, 10))
	b.WriteString(`,"epoch":`)
	b.WriteString(strconv.Itoa(r.Epoch))
	for i, v := range []float64{r.LossD, r.LossG, r.DX, r.DGZ1, r.DGZ2, r.ImgPerSec} {
		writeNumber(&b, metricKeys[2+i], v)
	}
	b.WriteString(`,"time":`)
	t, err := json.Marshal(r.Time.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, err
	}
	b.Write(t)

	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		for _, fixed := range metricKeys {
			if k == fixed {
				return nil, fmt.Errorf("dcgan: metrics: extra key %q is a fixed field", k)
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		writeNumber(&b, k, r.Extra[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeNumber(b *bytes.Buffer, key string, v float64) {
	k, _ := json.Marshal(key) // a string always marshals
	b.WriteByte(',')
	b.Write(k)
	b.WriteByte(':')
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b.WriteString("null")
		return
	}
	b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
}

// UnmarshalJSON reads a record written by MarshalJSON. A null number reads as NaN; unknown
// numeric keys go to Extra.
func (r *MetricRecord) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	var rec MetricRecord
	if err := json.Unmarshal(m["step"], &rec.Step); err != nil {
		return fmt.Errorf("step: %v", err)
	}
	if err := json.Unmarshal(m["epoch"], &rec.Epoch); err != nil {
		return fmt.Errorf("epoch: %v", err)
	}
	fields := []*float64{&rec.LossD, &rec.LossG, &rec.DX, &rec.DGZ1, &rec.DGZ2, &rec.ImgPerSec}
	for i, p := range fields {
		if err := readNumber(m[metricKeys[2+i]], p); err != nil {
			return fmt.Errorf("%s: %v", metricKeys[2+i], err)
		}
	}
	if t, ok := m["time"]; ok {
		if err := json.Unmarshal(t, &rec.Time); err != nil {
			return fmt.Errorf("time: %v", err)
		}
	}
	for k, v := range m {
		if isMetricKey(k) {
			continue
		}
		var f float64
		if err := readNumber(v, &f); err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
		if rec.Extra == nil {
			rec.Extra = make(map[string]float64)
		}
		rec.Extra[k] = f
	}
	*r = rec
	return nil
}

func isMetricKey(k string) bool {
	for _, f := range metricKeys {
		if k == f {
			return true
		}
	}
	return false
}

// readNumber decodes a JSON number, or null (or a missing value) as NaN.
func readNumber(raw json.RawMessage, p *float64) error {
	if raw == nil || string(raw) == "null" {
		*p = math.NaN()
		return nil
	}
	return json.Unmarshal(raw, p)
}

// MetricsLog appends records to a JSONL file, one object per line. Each record goes to the
// file in one write, so a reader sees whole lines, and a crash loses at most the record
// being written. It is not safe for concurrent use.
type MetricsLog struct {
	f    *os.File
	path string
}

// OpenMetrics opens the metrics file at path, creating it if needed. In append mode the
// existing records are kept (a partial last line, left by a crash, is cut off); otherwise
// the file starts empty.
func OpenMetrics(path string, appendMode bool) (*MetricsLog, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendMode {
		if err := dropPartialLine(path); err != nil {
			return nil, err
		}
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dcgan: metrics: %w", err)
	}
	return &MetricsLog{f: f, path: path}, nil
}

// dropPartialLine truncates path after its last newline, if it has one and does not end
// with one. A missing file is fine.
func dropPartialLine(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return nil
	}
	keep := bytes.LastIndexByte(b, '\n') + 1
	if err := os.Truncate(path, int64(keep)); err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	return nil
}

// Path is the file the log writes to.
func (l *MetricsLog) Path() string { return l.path }

// Write appends rec as one line.
func (l *MetricsLog) Write(rec MetricRecord) error {
	if l.f == nil {
		return fmt.Errorf("dcgan: metrics %s: write after close", l.path)
	}
	b, err := rec.MarshalJSON()
	if err != nil {
		return err
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	return nil
}

// Close closes the file. It is safe to call twice.
func (l *MetricsLog) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	return nil
}

// ReadMetrics reads every record of a metrics file. A last line without its newline (a
// write cut short) is ignored; any other line that does not parse is an error naming the
// file and line.
func ReadMetrics(path string) ([]MetricRecord, error) {
	var recs []MetricRecord
	err := scanMetrics(path, func(rec MetricRecord, _ []byte) { recs = append(recs, rec) })
	return recs, err
}

// scanMetrics calls fn with each record of path and its line (without the newline).
func scanMetrics(path string, fn func(MetricRecord, []byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return nil // a final line without newline is a cut-short write
		}
		if err != nil {
			return fmt.Errorf("dcgan: metrics: %w", err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var rec MetricRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("dcgan: metrics %s:%d: %v", path, n, err)
		}
		fn(rec, line)
	}
}

// TruncateMetrics drops the records of path past step, atomically, so that a run resumed
// from the checkpoint of that step does not log its steps twice. A missing file is fine.
func TruncateMetrics(path string, step int64) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var keep bytes.Buffer
	dropped := false
	err := scanMetrics(path, func(rec MetricRecord, line []byte) {
		if rec.Step > step {
			dropped = true
			return
		}
		keep.Write(line)
		keep.WriteByte('\n')
	})
	if err != nil {
		return err
	}
	if !dropped {
		return dropPartialLine(path)
	}
	if err := atomicfile.Write(path, keep.Bytes()); err != nil {
		return fmt.Errorf("dcgan: metrics: %w", err)
	}
	return nil
}

// LossSeries turns records into the loss plot's panels: loss_D and loss_G against the step,
// and D(x), D(G(z)) before and after D's update on a second panel in [0, 1].
func LossSeries(recs []MetricRecord) []imageio.Panel {
	x := make([]float64, len(recs))
	for i, r := range recs {
		x[i] = float64(r.Step)
	}
	line := func(label string, c int, f func(MetricRecord) float64) imageio.Series {
		y := make([]float64, len(recs))
		for i, r := range recs {
			y[i] = f(r)
		}
		return imageio.Series{Label: label, X: x, Y: y, Color: imageio.Palette[c]}
	}
	return []imageio.Panel{
		{Title: "loss (BCE)", Series: []imageio.Series{
			line("loss_D", 0, func(r MetricRecord) float64 { return r.LossD }),
			line("loss_G", 1, func(r MetricRecord) float64 { return r.LossG }),
		}},
		{Title: "discriminator output (mean probability of real)", YLo: 0, YHi: 1,
			Series: []imageio.Series{
				line("D(x)", 2, func(r MetricRecord) float64 { return r.DX }),
				line("D(G(z)) before D step", 3, func(r MetricRecord) float64 { return r.DGZ1 }),
				line("D(G(z)) after D step", 4, func(r MetricRecord) float64 { return r.DGZ2 }),
			}},
	}
}
