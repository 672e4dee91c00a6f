package bitsimtest_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

// everyJob is a careful design-A client that starts one job of each type
// (download, upload, upload-reply) so that every fault the worlds draw can
// happen to it, and offers its user a cancel and a pause button.
type everyJob struct {
	jobs []*scheduler.JobRef // on disk
	ids  []callbackabi.GUID
	done map[callbackabi.GUID]bool
}

func (a *everyJob) Main(p *proc.Process) {
	if a.done == nil {
		a.done = map[callbackabi.GUID]bool{}
	}
	report := func(j callbackabi.Job, o proc.Outcome, note string) {
		if id, hr := j.GetId(); hr == callbackabi.S_OK && slices.Contains(a.ids, id) && !a.done[id] {
			a.done[id] = true
			p.Report(j, o, note)
		}
	}
	cb := &scenarios.Funcs{
		Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
			if hr := j.Complete(); hr.Failed() {
				j.Cancel()
				report(j, proc.Failed, "Complete failed: "+hr.String())
			} else {
				report(j, proc.Succeeded, "")
			}
			return callbackabi.S_OK
		},
		Error: func(j callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
			e.GetError() // may fail: the error object of a broken server
			j.Cancel()
			report(j, proc.Failed, "")
			return callbackabi.S_OK
		},
	}
	if p.Generation() == 1 {
		for i, typ := range []callbackabi.JobType{callbackabi.BG_JOB_TYPE_DOWNLOAD, callbackabi.BG_JOB_TYPE_UPLOAD, callbackabi.BG_JOB_TYPE_UPLOAD_REPLY} {
			j, hr := p.Client().CreateJob("job", typ)
			if hr.Failed() {
				continue
			}
			id, _ := j.GetId()
			a.jobs, a.ids = append(a.jobs, j), append(a.ids, id)
			j.AddFile("https://server.example/f", `C:\data\f`)
			if i == 0 {
				j.AddFile("https://server.example/g", `C:\data\g`)
			}
			j.SetMinimumRetryDelay(60) // shorter than the no-progress timeout: TRANSIENT_ERROR, not ERROR (G45)
			j.SetNoProgressTimeout(300)
		}
	}
	for _, r := range a.jobs {
		j := p.Client().Job(r)
		j.SetNotifyInterface(cb) // again after each restart (G7)
		j.Resume()
	}
}

func (a *everyJob) Actions() []bitsimtest.Action {
	cancel := func(p *proc.Process) {
		for i, r := range a.jobs {
			if !a.done[a.ids[i]] {
				j := p.Client().Job(r)
				j.Cancel()
				a.done[a.ids[i]] = true
				p.Report(j, proc.Cancelled, "")
			}
		}
	}
	pause := func(p *proc.Process) {
		for _, r := range a.jobs {
			j := p.Client().Job(r)
			j.Suspend()
			p.Sleep(30e9)
			j.Resume()
		}
	}
	return []bitsimtest.Action{{Name: "cancel", Do: cancel, Within: 1e9}, {Name: "pause", Do: pause}}
}

// TestClientCoverage: over a default run, the worlds of CheckClient
// contain every fault kind, every world event, every trigger and every
// user action — no vacuous green. The careful client passes.
//
// Five default runs (500 worlds, a fraction of a second) so that the rarest
// trigger, while-suspended (a pause must come first), cannot miss by chance:
// one run sees it about four times.
func TestClientCoverage(t *testing.T) {
	total := &bitsimtest.Coverage{Faults: map[string]int{}, Events: map[string]int{}, Actions: map[string]int{}, Triggers: map[string]int{}}
	for range 5 {
		total.Add(bitsimtest.CheckClient(t, func(*bitsimtest.ClientWorld) bitsimtest.App { return &everyJob{} }, bitsimtest.ClientOptions{}))
	}
	cov := total
	for _, k := range scenarios.FaultKinds() {
		require.Positive(t, cov.Faults[k.String()], "fault %s never drawn:\n%v", k, cov)
	}
	for _, ev := range []bitsimtest.WorldEvent{bitsimtest.EventCrash, bitsimtest.EventLogoff, bitsimtest.EventNetwork, bitsimtest.EventTakeover} {
		require.Positive(t, cov.Events[string(ev)], "world event %s never happened:\n%v", ev, cov)
	}
	for _, tr := range bitsimtest.Triggers() {
		require.Positive(t, cov.Triggers[string(tr)], "trigger %s never fired:\n%v", tr, cov)
	}
	for _, a := range []string{"cancel", "pause"} {
		require.Positive(t, cov.Actions[a], "action %s never happened:\n%v", a, cov)
	}
	// What the traces reached (package coverage): the application's own
	// records and its callback. (This client asks only for JobTransferred
	// and JobError, and the report's "never reached" line says that
	// JobModification was never exercised.)
	require.NotNil(t, cov.Trace)
	require.Equal(t, cov.Worlds, cov.Trace.Worlds)
	require.Contains(t, cov.Trace.Missing(coverage.Expected()), coverage.Item{Group: "method", Name: "JobModification"})
	for _, it := range []coverage.Item{{Group: "event", Name: "app.outcome"}, {Group: "event", Name: "user.action"},
		{Group: "method", Name: "JobTransferred"}, {Group: "method", Name: "JobError"}} {
		require.Positive(t, cov.Trace.Count(it), "%s never reached:\n%v", it, cov)
	}
}

// A fail file whose data runs out before the world does (an old one, from
// before the world or the client changed) is skipped as "no longer
// valid": the draw past its end goes back to rapid as rapid's own panic,
// not as a failure of the client. (Without the unwrapping, CheckClient
// reported "[rapid] panic after 0 tests: {overrun}".)
func TestStaleFailFileIsSkipped(t *testing.T) {
	name := "StaleFailFile"
	dir := filepath.Join("testdata", "rapid", name)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+"-1.fail"), []byte("v0.4.8#1\n0x0\n0x0\n0x1\n"), 0o644))
	rec := bitsimtest.NewRecorder(name)
	rec.Run(func(tb rapid.TB) {
		bitsimtest.CheckClient(tb, func(*bitsimtest.ClientWorld) bitsimtest.App { return &everyJob{} }, bitsimtest.ClientOptions{})
	})
	require.False(t, rec.Failed(), "%s", rec.Output())
	require.Contains(t, rec.Output(), "no longer valid")
}

// snoop is an application with no job of its own that looks at its user's
// jobs every second for two minutes and does one thing to each job it did
// not see before: register a callback, cancel it, or report its outcome.
type snoop struct {
	do   string
	seen map[callbackabi.GUID]bool
}

func (a *snoop) Main(p *proc.Process) {
	if a.seen == nil {
		a.seen = map[callbackabi.GUID]bool{}
	}
	for i := 0; i < 120; i++ {
		jobs, _ := p.Client().EnumJobs(false)
		for _, j := range jobs {
			id, _ := j.GetId()
			if a.seen[id] {
				continue
			}
			a.seen[id] = true
			switch a.do {
			case "register":
				j.SetNotifyInterface(&scenarios.Funcs{})
			case "cancel":
				j.Cancel()
			case "report":
				p.Report(j, proc.Succeeded, "")
			}
		}
		p.Sleep(1e9)
	}
}

// TestForeignJob: an application that acts on a job another application
// of its user created (the world's neighbour) — registers on it, cancels
// it, reports its outcome — fails foreign-job (G8); one that only looks at
// it passes: the neighbour's job is not one of the application's
// operations (no outcome-missing, no job-left for it).
func TestForeignJob(t *testing.T) {
	for _, do := range []string{"register", "cancel", "report"} {
		t.Run(do, func(t *testing.T) {
			rec := bitsimtest.NewRecorder("Foreign_" + do)
			t.Cleanup(func() {
				os.RemoveAll(filepath.Join("testdata", "rapid", rec.Name()))
				os.Remove(filepath.Join("testdata", "failures", rec.Name()+".jsonl"))
			})
			rec.Run(func(tb rapid.TB) {
				bitsimtest.CheckClient(tb, func(*bitsimtest.ClientWorld) bitsimtest.App { return &snoop{do: do} }, bitsimtest.ClientOptions{})
			})
			require.True(t, rec.Failed(), "not caught:\n%s", rec.Output())
			require.Contains(t, rec.Output(), `fails check "foreign-job" (rule G8)`)
		})
	}
	t.Run("looks", func(t *testing.T) {
		bitsimtest.CheckClient(t, func(*bitsimtest.ClientWorld) bitsimtest.App { return &snoop{do: "look"} }, bitsimtest.ClientOptions{})
	})
}

// careless starts its download and keeps its jobs in a map it never made:
// its main thread panics as the process starts.
type careless struct{ jobs map[string]*scheduler.JobRef }

func (a *careless) Main(p *proc.Process) {
	j, hr := p.Client().CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if hr.Failed() {
		return
	}
	j.AddFile("https://updates.example/a.cab", `C:\app\a.cab`)
	j.Resume()
	a.jobs[j.Name()] = j // the bug: a nil map
}

// TestAppThreadPanic: a panic on the application's own thread crashes its
// process (as an unhandled exception ends a Windows process) instead of
// the test; the harness reports it as check "panic", with the value, the
// line it came from, the story, the trace file and the replay command.
func TestAppThreadPanic(t *testing.T) {
	rec := bitsimtest.NewRecorder("AppThreadPanic")
	t.Cleanup(func() {
		os.RemoveAll(filepath.Join("testdata", "rapid", rec.Name()))
		os.Remove(filepath.Join("testdata", "failures", rec.Name()+".jsonl"))
	})
	rec.Run(func(tb rapid.TB) {
		bitsimtest.CheckClient(tb, func(*bitsimtest.ClientWorld) bitsimtest.App { return &careless{} }, bitsimtest.ClientOptions{})
	})
	out := rec.Output()
	require.True(t, rec.Failed(), out)
	require.Contains(t, out, `fails check "panic"`)
	require.Regexp(t, `the first: app, thread main, at 0s: assignment to entry in nil map, in bitsimtest_test\.\(\*careless\)\.Main \(client_test\.go:[0-9]+\)`, out)
	require.Contains(t, out, "app ends: crash")
	require.Contains(t, out, "trace: ")
	require.Contains(t, out, "replay: ")
	t.Logf("%s", out)
}
