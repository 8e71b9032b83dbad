package bench

import (
	"context"
	"strings"
	"testing"
)

// torchForTest finds a python with torch, or skips: the tests of this package must not
// need Python, but where it is installed the script's protocol is checked end to end.
func torchForTest(t *testing.T) (*Torch, *TorchProbe) {
	t.Helper()
	tr, p, err := FindPython(context.Background(), []string{"/usr/bin/python3"}, CPU, 1, false)
	if err != nil {
		t.Skipf("no torch here: %v", err)
	}
	return tr, p
}

// TestTorchScript runs torch_bench.py on the tiny DCGAN: one warm-up and two timed steps.
// (The torch.compile variant is left to the CLI's sweep: on PyTorch 2 it compiles for
// minutes, on 1.13 it only says it cannot.)
func TestTorchScript(t *testing.T) {
	tr, p := torchForTest(t)
	if p.Version == "" || p.Threads != 1 {
		t.Errorf("probe %+v, want a version and the one thread asked for", p)
	}
	m, err := tr.Run(context.Background(), tinyJob(4), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.StepMS) != 2 || len(m.WarmupMS) != 1 || m.PeakRSS <= 0 || m.Version != p.Version ||
		m.Timer != "wall clock" || !strings.HasPrefix(m.Device, "cpu (torch") {
		t.Errorf("measurement %+v", m)
	}
}

func TestTorchMissingPython(t *testing.T) {
	_, _, err := FindPython(context.Background(), []string{"/nonexistent/python3"}, CPU, 1,
		false)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/python3") {
		t.Errorf("FindPython with no interpreter: %v", err)
	}
}
