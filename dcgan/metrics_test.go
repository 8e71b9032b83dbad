package dcgan

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func record(step int64) MetricRecord {
	return MetricRecord{Step: step, Epoch: int(step / 10), LossD: 1.25 + float64(step),
		LossG: 0.1 * float64(step), DX: 0.75, DGZ1: 0.3, DGZ2: 0.2, ImgPerSec: 123.5,
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
}

func TestMetricsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	l, err := OpenMetrics(path, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []MetricRecord{record(1), record(2), record(3)}
	want[1].LossG = math.Inf(1)
	want[2].Extra = map[string]float64{"fid": 41.5, "is": 2}
	for _, r := range want {
		if err := l.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	// Each write reaches the file at once, before Close.
	if got, err := ReadMetrics(path); err != nil || len(got) != 3 {
		t.Fatalf("before Close: %d records, %v", len(got), err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	b, _ := os.ReadFile(path)
	first := strings.SplitN(string(b), "\n", 2)[0]
	wantLine := `{"step":1,"epoch":0,"loss_d":2.25,"loss_g":0.1,"d_x":0.75,"d_g_z1":0.3,` +
		`"d_g_z2":0.2,"img_s":123.5,"time":"2026-01-02T03:04:05.000000006Z"}`
	if first != wantLine {
		t.Errorf("line 1:\n got %s\nwant %s", first, wantLine)
	}

	got, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(got[1].LossG) {
		t.Errorf("an infinite loss reads back as %v, want NaN (written as null)", got[1].LossG)
	}
	got[1].LossG, want[1].LossG = 0, 0
	for i := range want {
		g, w := got[i], want[i]
		if g.Step != w.Step || g.Epoch != w.Epoch || g.LossD != w.LossD || g.LossG != w.LossG ||
			g.DX != w.DX || g.DGZ1 != w.DGZ1 || g.DGZ2 != w.DGZ2 || g.ImgPerSec != w.ImgPerSec ||
			!g.Time.Equal(w.Time) || len(g.Extra) != len(w.Extra) {
			t.Errorf("record %d: got %+v, want %+v", i, g, w)
		}
		for k, v := range w.Extra {
			if g.Extra[k] != v {
				t.Errorf("record %d: extra %s = %v, want %v", i, k, g.Extra[k], v)
			}
		}
	}
}

func TestMetricsAppendAndTruncateModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	write := func(appendMode bool, steps ...int64) {
		l, err := OpenMetrics(path, appendMode)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, s := range steps {
			if err := l.Write(record(s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := func() []int64 {
		recs, err := ReadMetrics(path)
		if err != nil {
			t.Fatal(err)
		}
		var s []int64
		for _, r := range recs {
			s = append(s, r.Step)
		}
		return s
	}
	write(false, 1, 2)
	write(true, 3)
	if s := steps(); len(s) != 3 || s[2] != 3 {
		t.Errorf("after append: steps %v, want [1 2 3]", s)
	}

	// A crash mid-write leaves a partial line: readers skip it, appending cuts it off.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"step":4,"ep`)
	f.Close()
	if s := steps(); len(s) != 3 {
		t.Errorf("with a partial last line: steps %v, want [1 2 3]", s)
	}
	write(true, 4)
	if s := steps(); len(s) != 4 || s[3] != 4 {
		t.Errorf("after appending past a partial line: steps %v, want [1 2 3 4]", s)
	}

	write(false, 9)
	if s := steps(); len(s) != 1 || s[0] != 9 {
		t.Errorf("after reopening without append: steps %v, want [9]", s)
	}
}

func TestTruncateMetrics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.jsonl")
	l, err := OpenMetrics(path, false)
	if err != nil {
		t.Fatal(err)
	}
	for s := int64(1); s <= 6; s++ {
		l.Write(record(s))
	}
	l.Close()

	if err := TruncateMetrics(path, 4); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadMetrics(path)
	if err != nil || len(recs) != 4 || recs[3].Step != 4 {
		t.Errorf("after truncating at 4: %d records (%v)", len(recs), err)
	}
	if err := TruncateMetrics(path, 10); err != nil {
		t.Fatal(err)
	}
	if recs, _ := ReadMetrics(path); len(recs) != 4 {
		t.Errorf("truncating past the end dropped records: %d left", len(recs))
	}
	if err := TruncateMetrics(filepath.Join(dir, "none.jsonl"), 3); err != nil {
		t.Errorf("a missing file: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory, want 1", len(ents))
	}
}

func TestReadMetricsRejectsBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	content := `{"step":1,"epoch":0,"loss_d":1,"loss_g":1,"d_x":1,"d_g_z1":1,"d_g_z2":1,` +
		`"img_s":1,"time":"2026-01-02T03:04:05Z"}` + "\nnot json\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadMetrics(path)
	if err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Errorf("error %v does not name %s:2", err, path)
	}
	if err := TruncateMetrics(path, 0); err == nil {
		t.Error("TruncateMetrics rewrote a file it cannot read")
	}
}

func TestMetricsExtraCollision(t *testing.T) {
	r := record(1)
	r.Extra = map[string]float64{"loss_d": 3}
	if _, err := r.MarshalJSON(); err == nil {
		t.Error("an extra key shadowing loss_d was accepted")
	}
}

func TestLossSeries(t *testing.T) {
	recs := []MetricRecord{record(5), record(10)}
	panels := LossSeries(recs)
	if len(panels) != 2 || len(panels[0].Series) != 2 || len(panels[1].Series) != 3 {
		t.Fatalf("panels %+v", panels)
	}
	s := panels[0].Series[0]
	if s.Label != "loss_D" || s.X[1] != 10 || s.Y[0] != recs[0].LossD {
		t.Errorf("loss_D series %+v", s)
	}
	if p := panels[1]; p.YLo != 0 || p.YHi != 1 || p.Series[0].Y[1] != 0.75 {
		t.Errorf("D panel %+v", p)
	}
}
