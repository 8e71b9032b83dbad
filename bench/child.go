package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Executor measures a Job on our backend somewhere: in this process or in a child.
type Executor func(ctx context.Context, j Job) (*Measurement, error)

// InProcess runs jobs in this process with open. The peak RSS it reports is this
// process's peak so far, so it only grows from row to row (RSSScope "cumulative").
func InProcess(open OpenFunc) Executor {
	return func(ctx context.Context, j Job) (*Measurement, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := RunJob(j, open)
		if m != nil {
			m.RSSScope = "cumulative"
		}
		return m, err
	}
}

// Subprocess runs each job in a child process: exe with args followed by the job as JSON.
// The child runs RunJob and writes the Measurement as one JSON line on stdout, last
// (WriteChildResult). A child that dies before writing it (a CUDA build whose driver
// init fails exits in its package init) is reported with the end of its stderr.
func Subprocess(exe string, args ...string) Executor {
	return func(ctx context.Context, j Job) (*Measurement, error) {
		spec, err := json.Marshal(j)
		if err != nil {
			return nil, fmt.Errorf("bench: job: %w", err)
		}
		cmd := exec.CommandContext(ctx, exe, append(append([]string(nil), args...), string(spec))...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		runErr := cmd.Run()
		m, perr := ParseChildResult(stdout.Bytes())
		if perr != nil {
			if runErr == nil {
				runErr = perr
			}
			m = &Measurement{Stage: "open", Error: fmt.Sprintf("child %s: %v: %s",
				exe, runErr, tail(stderr.String(), 400))}
			return m, errors.New("bench: " + m.Error)
		}
		if m.Error != "" {
			return m, fmt.Errorf("bench: %s", m.Error)
		}
		return m, nil
	}
}

// WriteChildResult is the child's side of Subprocess: m as one JSON line.
func WriteChildResult(m *Measurement) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("bench: child result: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseChildResult reads the last non-empty line of a child's stdout as a Measurement.
func ParseChildResult(out []byte) (*Measurement, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return nil, errors.New("bench: child wrote no result")
	}
	var m Measurement
	if err := json.Unmarshal([]byte(last), &m); err != nil {
		return nil, fmt.Errorf("bench: child result %q: %w", tail(last, 200), err)
	}
	return &m, nil
}

// tail is the end of s, at most n bytes, on one line.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.ReplaceAll(s, "\n", " | ")
}
