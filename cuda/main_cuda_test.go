//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"testing"
)

// These tests need a GPU: the binary cannot even start without a driver (gorgonia.org/cu's
// init exits). CI compiles and links them; the device check runs them.

// TestMain keeps the primary context retained for the whole run, so the per-test Open/Close
// pairs only move its reference count instead of creating and destroying it each time.
func TestMain(m *testing.M) {
	SetSyncAfterLaunch(true)
	ctx, err := Open(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cuda tests need a GPU:", err)
		os.Exit(1)
	}
	code := m.Run()
	ctx.Close()
	os.Exit(code)
}

// open makes device 0's context current on this test's goroutine.
func open(t testing.TB) *Context {
	t.Helper()
	ctx, err := Open(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ctx.Close(); err != nil {
			t.Error(err)
		}
	})
	return ctx
}
