package bitsimtest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"pgregory.net/rapid"
)

// installer is a design-B client (signal and wait): its callback sets an
// event, its main thread waits for that or for the user's cancel.
type installer struct {
	jobs   []*scheduler.JobRef // its disk: survives restarts
	done   bool
	cancel *proc.Event // this process's cancel button
}

func (a *installer) Main(p *proc.Process) {
	notify, cancel := p.NewEvent(false, false), p.NewEvent(true, false)
	a.cancel = cancel
	cb := &callbackFuncs{signal: notify}
	if p.Generation() == 1 {
		j, _ := p.Client().CreateJob("setup", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		j.AddFile("https://example.com/setup.msi", `C:\setup.msi`)
		j.Resume()
		a.jobs = append(a.jobs, j)
	}
	for _, r := range a.jobs {
		p.Client().Job(r).SetNotifyInterface(cb) // again after a restart (G7)
	}
	for !a.done {
		j := p.Client().Job(a.jobs[0])
		if p.WaitAny(proc.Infinite, notify, cancel) == 1 {
			j.Cancel()
			a.finish(p, j, proc.Cancelled)
			return
		}
		switch st, _ := j.GetState(); st {
		case callbackabi.BG_JOB_STATE_TRANSFERRED:
			if hr := j.Complete(); hr.Failed() {
				j.Cancel()
				a.finish(p, j, proc.Failed)
			} else {
				a.finish(p, j, proc.Succeeded)
			}
		case callbackabi.BG_JOB_STATE_ERROR:
			j.Cancel()
			a.finish(p, j, proc.Failed)
		}
	}
}

func (a *installer) finish(p *proc.Process, j callbackabi.Job, o proc.Outcome) {
	a.done = true
	p.Report(j, o, "")
}

// Actions: the user's cancel button must take effect within a second.
func (a *installer) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Within: time.Second, Do: func(*proc.Process) { a.cancel.Set() }}}
}

// Invariant: the installer's own view, checked when each world ends.
func (a *installer) Invariant() error {
	if len(a.jobs) > 1 {
		return errors.New("the installer started two downloads")
	}
	return nil
}

// callbackFuncs sets an event on JobTransferred and JobError.
type callbackFuncs struct {
	callbackabi.RefCount
	signal *proc.Event
}

func (c *callbackFuncs) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	return callbackabi.QueryInterfaceFor(c, iid, callbackabi.IID_IBackgroundCopyCallback)
}
func (c *callbackFuncs) JobTransferred(callbackabi.Job) callbackabi.HRESULT {
	c.signal.Set()
	return callbackabi.S_OK
}
func (c *callbackFuncs) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	c.signal.Set()
	return callbackabi.S_OK
}
func (c *callbackFuncs) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// CheckClient in a test: rapid draws the worlds, the harness checks the
// installer's outcomes, its cancel button, its jobs and its callback.
func ExampleCheckClient() {
	testInstaller := func(t *testing.T) {
		cov := bitsimtest.CheckClient(t, func(*bitsimtest.ClientWorld) bitsimtest.App { return &installer{} }, bitsimtest.ClientOptions{})
		t.Logf("the worlds contained %v", cov)
	}
	_ = testInstaller // go test runs it as func TestInstaller(t *testing.T)
}

// An App is a program with a Main; see installer above.
func ExampleApp() {
	var app bitsimtest.App = &installer{}
	_, actor := app.(bitsimtest.Actor)
	_, checker := app.(bitsimtest.Checker)
	fmt.Println(actor, checker)
	// Output: true true
}

// An Actor's actions are its user's buttons.
func ExampleActor() {
	for _, a := range (&installer{}).Actions() {
		fmt.Println(a.Name, a.Within)
	}
	// Output: cancel 1s
}

// A Checker's Invariant sees the application's own state.
func ExampleChecker() {
	app := &installer{jobs: make([]*scheduler.JobRef, 2)}
	fmt.Println(app.Invariant())
	// Output: the installer started two downloads
}

// Action.Within is the response bound of a button; a pause has none.
func ExampleAction() {
	pause := bitsimtest.Action{Name: "pause", Do: func(p *proc.Process) { p.Sleep(time.Minute) }}
	cancel := bitsimtest.Action{Name: "cancel", Within: 2 * time.Second, Do: func(*proc.Process) {}}
	fmt.Println(pause.Within > 0, cancel.Within)
	// Output: false 2s
}

// The App's constructor gets the world: its user, the service, the clock.
func ExampleClientWorld() {
	newApp := func(w *bitsimtest.ClientWorld) bitsimtest.App {
		fmt.Println("the app runs as", w.User.Name())
		return &installer{}
	}
	_ = newApp
}

// Options: an application that leaves failed jobs to an administrator
// says so, and a service account is never logged off.
func ExampleClientOptions() {
	o := bitsimtest.ClientOptions{
		Apartment: scheduler.STA,
		Leave:     []callbackabi.JobState{callbackabi.BG_JOB_STATE_ERROR},
		Waive:     map[bitsimtest.Kind]string{bitsimtest.KindSlotBudget: "the callback shows a dialog; the user decides"},
		Quiet:     []bitsimtest.WorldEvent{bitsimtest.EventLogoff},
	}
	fmt.Println(o.Apartment, o.Leave, len(o.Waive), o.Quiet)
	// Output: STA [ERROR] 1 [logoff]
}

// Every check, in the order a report lists them.
func ExampleKinds() {
	fmt.Println(bitsimtest.Kinds())
	// Output: [bitsim-bug world-limit panic argument-kept never-returned slot-budget not-s-ok retry-storm foreign-job false-success outcome-twice slow-response outcome-missing job-left invariant]
}

// A problem names its check, its rule, and the trace record that shows it.
func ExampleProblem() {
	p := bitsimtest.Problem{Kind: bitsimtest.KindRetryStorm, Rule: "G20", Seq: 42, T: 30 * time.Minute,
		Msg: "JobTransferred for job-1 did not return S_OK for the fourth time"}
	fmt.Println(p)
	// Output: retry-storm (G20): seq 42 at 30m0s: JobTransferred for job-1 did not return S_OK for the fourth time
}

// The world events and triggers the harness draws.
func ExampleWorldEvents() {
	fmt.Println(bitsimtest.WorldEvents())
	fmt.Println(bitsimtest.Triggers())
	// Output:
	// [crash logoff network takeover neighbour]
	// [at-time before-callbacks during-callback while-queued while-transient while-suspended while-transferred while-error when-slow when-stalled]
}

// Coverage counts what the worlds of one check contained.
func ExampleCoverage() {
	c := bitsimtest.Coverage{Worlds: 100,
		Faults:   map[string]int{"rename-fails": 12, "http-error": 30},
		Events:   map[string]int{"crash": 31},
		Actions:  map[string]int{"cancel": 70},
		Triggers: map[string]int{"at-time": 40}}
	fmt.Println(c.String())
	// Output:
	// 100 worlds
	//   faults: http-error=30 rename-fails=12
	//   world events: crash=31
	//   user actions: cancel=70
	//   triggers: at-time=40
}

// A Recorder shows that a check catches a planted bug without failing the
// test that runs it.
func ExampleRecorder() {
	rec := bitsimtest.NewRecorder("ExampleRecorder")
	defer os.RemoveAll(filepath.Join("testdata", "rapid", rec.Name()))
	defer os.Remove(filepath.Join("testdata", "failures", rec.Name()+".jsonl"))
	// It does its work, then panics: its one flaw, so the check that
	// catches it is "panic" whichever world fails first.
	panicky := func(*scenarios.Env) callbackabi.Callback {
		return &scenarios.Funcs{
			Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
				if j.Complete().Failed() {
					j.Cancel()
				}
				panic("oops")
			},
			Error: func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { j.Cancel(); panic("oops") },
		}
	}
	rec.Run(func(tb rapid.TB) {
		bitsimtest.CheckCallback(tb, panicky, bitsimtest.HarnessOptions{Horizon: 10 * time.Minute})
	})
	fmt.Println(rec.Failed(), strings.Contains(rec.Output(), `fails check "panic"`))
	// Output: true true
}

// CheckCallback tests a callback object in worlds whose jobs the harness
// creates (see CheckClient for a whole client).
func ExampleCheckCallback() {
	testCallback := func(t *testing.T) {
		bitsimtest.CheckCallback(t, func(*scenarios.Env) callbackabi.Callback {
			return &scenarios.Funcs{
				Transferred: func(j callbackabi.Job) callbackabi.HRESULT { j.Complete(); return callbackabi.S_OK },
				Error:       func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { j.Cancel(); return callbackabi.S_OK },
			}
		}, bitsimtest.HarnessOptions{})
	}
	_ = testCallback
}

// The triggers a drawn action or world event can wait for.
func ExampleTriggers() {
	for _, tr := range bitsimtest.Triggers()[:3] {
		fmt.Println(tr)
	}
	// Output:
	// at-time
	// before-callbacks
	// during-callback
}

// A Trigger names when something drawn happens; Coverage counts them.
func ExampleTrigger() {
	fmt.Println(bitsimtest.WhileTransient, bitsimtest.DuringCallback)
	// Output: while-transient during-callback
}

// A WorldEvent is something the world does to the application.
func ExampleWorldEvent() {
	o := bitsimtest.ClientOptions{Quiet: []bitsimtest.WorldEvent{bitsimtest.EventTakeover}}
	fmt.Println(o.Quiet)
	// Output: [takeover]
}

// A Kind is a check: the kind of a failure.
func ExampleKind() {
	o := bitsimtest.ClientOptions{Waive: map[bitsimtest.Kind]string{
		bitsimtest.KindJobLeft: "the installer leaves failed jobs to the administrator's console",
	}}
	for k, why := range o.Waive {
		fmt.Printf("%s: %s\n", k, why)
	}
	// Output: job-left: the installer leaves failed jobs to the administrator's console
}

// HarnessOptions: a leak policy instead of the deprecated AllowUnfinished.
func ExampleHarnessOptions() {
	o := bitsimtest.HarnessOptions{
		Leave:      []callbackabi.JobState{callbackabi.BG_JOB_STATE_ERROR},
		SlotBudget: 10 * time.Second,
	}
	fmt.Println(o.Leave, o.SlotBudget)
	// Output: [ERROR] 10s
}

// NewRecorder names the recorded check: its fail files and trace go under
// testdata/ by that name.
func ExampleNewRecorder() {
	rec := bitsimtest.NewRecorder("planted-bug")
	fmt.Println(rec.Name(), rec.Failed())
	// Output: planted-bug false
}

// Coverage.Add sums the coverage of several checks.
func ExampleCoverage_Add() {
	a := &bitsimtest.Coverage{Worlds: 100, Faults: map[string]int{"rename-fails": 3}, Events: map[string]int{}, Actions: map[string]int{}, Triggers: map[string]int{}}
	b := &bitsimtest.Coverage{Worlds: 100, Faults: map[string]int{"rename-fails": 4, "http-error": 9}, Events: map[string]int{}, Actions: map[string]int{}, Triggers: map[string]int{}}
	a.Add(b)
	fmt.Println(a.Worlds, a.Faults["rename-fails"], a.Faults["http-error"])
	// Output: 200 7 9
}
