package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// testTrace is a small valid trace: user alice with `calls` JobTransferred
// calls in flight at once (more than four breaks G31), shaped by seed so
// different seeds give different traces.
func testTrace(seed uint64, calls int) []trace.Record {
	var recs []trace.Record
	t := time.Duration(0)
	add := func(r trace.Record) {
		r.Seq = int64(len(recs) + 1)
		r.T = t
		recs = append(recs, r)
	}
	add(trace.Record{Ev: trace.EvRunStart, Seed: seed, Scenario: "test", Version: "bitsim/1"})
	add(trace.Record{Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"})
	for k := 1; k <= calls; k++ {
		job := fmt.Sprintf("job-%d", k)
		add(trace.Record{Ev: trace.EvJobCreate, Job: job, User: "alice"})
		add(trace.Record{Ev: trace.EvJobRegister, Job: job, Client: "app-1", User: "alice"})
		add(trace.Record{Ev: trace.EvJobState, Job: job, From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_QUEUED})
		add(trace.Record{Ev: trace.EvJobState, Job: job, From: callbackabi.BG_JOB_STATE_QUEUED, To: callbackabi.BG_JOB_STATE_TRANSFERRING})
	}
	t += time.Duration(seed%1000+1) * time.Millisecond
	for k := 1; k <= calls; k++ {
		job := fmt.Sprintf("job-%d", k)
		add(trace.Record{Ev: trace.EvJobState, Job: job, From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_TRANSFERRED})
		add(trace.Record{Ev: trace.EvCallBegin, Call: int64(k), Job: job, User: "alice", Client: "app-1",
			Method: trace.JobTransferred, Lane: trace.LaneHigh})
	}
	t += 10 * time.Millisecond
	for k := 1; k <= calls; k++ {
		add(trace.Record{Ev: trace.EvCallEnd, Call: int64(k), HR: callbackabi.S_OK})
	}
	add(trace.Record{Ev: trace.EvRunEnd, Reason: "idle"})
	return recs
}

// fakeScenarios are the scenarios the CLI tests run.
func fakeScenarios() []scenarios.Scenario {
	return []scenarios.Scenario{
		{Name: "good", Summary: "one job, one JobTransferred", Rules: []string{"G11"},
			Run: func(seed uint64) (scenarios.Result, error) {
				return scenarios.Result{Records: testTrace(seed, 1)}, nil
			}},
		// flaky breaks G31 on the seeds S with S mod 5 = 2.
		{Name: "flaky", Summary: "five calls at once on some seeds", Rules: []string{"G31"},
			Run: func(seed uint64) (scenarios.Result, error) {
				n := 2
				if seed%5 == 2 {
					n = 5
				}
				return scenarios.Result{Records: testTrace(seed, n)}, nil
			}},
		{Name: "broken", Summary: "fails to run on seed 3, panics on seed 4",
			Run: func(seed uint64) (scenarios.Result, error) {
				switch seed {
				case 3:
					return scenarios.Result{}, fmt.Errorf("limit: too many events")
				case 4:
					panic("model bug")
				}
				return scenarios.Result{Records: testTrace(seed, 1)}, nil
			}},
	}
}

// fakeCheck flags more than four calls in flight for one user (G31).
func fakeCheck(recs []trace.Record) []catalogue.Violation {
	var open []int64
	var out []catalogue.Violation
	for _, r := range recs {
		switch r.Ev {
		case trace.EvCallBegin:
			open = append(open, r.Seq)
			if len(open) > 4 {
				out = append(out, catalogue.Violation{Rule: "G31", Seqs: append([]int64(nil), open...),
					Msg: fmt.Sprintf("%d calls in flight for alice", len(open))})
			}
		case trace.EvCallEnd:
			if len(open) > 0 {
				open = open[1:]
			}
		}
	}
	return out
}

// result is what one in-process run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the CLI in-process with the fake scenarios and checker.
func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return cliWith(t, func(a *app) { a.stdin = strings.NewReader(stdin) }, args...)
}

// fakeApp is the CLI writing to out and errOut, with the fake scenarios,
// the fake checker, no standard input and a stderr that is no terminal.
func fakeApp(out, errOut io.Writer) *app {
	a := newApp(out, errOut)
	a.stdin = strings.NewReader("")
	fakes := fakeScenarios()
	a.scenarios = func() []scenarios.Scenario { return fakes }
	a.lookup = func(name string) (scenarios.Scenario, bool) {
		for _, s := range fakes {
			if s.Name == name {
				return s, true
			}
		}
		return scenarios.Scenario{}, false
	}
	a.check = fakeCheck
	a.newChecker = batchChecker(fakeCheck)
	a.stderrTTY = false
	return a
}

func cliWith(t *testing.T, setup func(*app), args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := fakeApp(&out, &errOut)
	// A fake clock: a millisecond passes at each reading, so the plain
	// progress line (every 5s by default) never shows in short sweeps.
	clock := time.Unix(0, 0)
	a.now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	a.signals = func() (<-chan os.Signal, func()) { return nil, func() {} } // never interrupted
	if setup != nil {
		setup(a)
	}
	code := a.run(args)
	return result{code, out.String(), errOut.String()}
}

// wantUsageError asserts exit 2 with exactly one line on stderr that
// starts with prefix and contains every fragment.
func wantUsageError(t *testing.T, r result, prefix string, fragments ...string) {
	t.Helper()
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d; stderr %q", r.code, exitUsage, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr is not exactly one line: %q", r.stderr)
	}
	if !strings.HasPrefix(r.stderr, prefix) {
		t.Errorf("stderr %q does not start with %q", r.stderr, prefix)
	}
	for _, f := range fragments {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("stderr %q does not mention %q", r.stderr, f)
		}
	}
}

// encode returns the format v1 bytes of recs.
func encode(t *testing.T, recs []trace.Record) string {
	t.Helper()
	var b bytes.Buffer
	if err := trace.Encode(&b, recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// batchChecker streams a batch check: it keeps the records and judges
// them all at Finish.
func batchChecker(check func([]trace.Record) []catalogue.Violation) func() traceChecker {
	return func() traceChecker { return &batch{check: check} }
}

type batch struct {
	check func([]trace.Record) []catalogue.Violation
	recs  []trace.Record
}

func (b *batch) Add(r *trace.Record)           { b.recs = append(b.recs, *r) }
func (b *batch) Finish() []catalogue.Violation { return b.check(b.recs) }
