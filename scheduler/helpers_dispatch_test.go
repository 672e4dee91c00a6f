package scheduler_test

// Shared helpers of the dispatcher tests: a world builder and small
// queries over the trace. The dispatcher's tests judge outcomes on the
// trace (DESIGN.md: the trace is the truth), not on private state.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

type hr = callbackabi.HRESULT

const (
	mb = 1_000_000

	fJT   = callbackabi.BG_NOTIFY_JOB_TRANSFERRED
	fJE   = callbackabi.BG_NOTIFY_JOB_ERROR
	fOff  = callbackabi.BG_NOTIFY_DISABLE
	fJM   = callbackabi.BG_NOTIFY_JOB_MODIFICATION
	fFT   = callbackabi.BG_NOTIFY_FILE_TRANSFERRED
	fFRT  = callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED
	sOK   = callbackabi.S_OK
	eFail = callbackabi.E_FAIL
)

// env is one world with its service, run once by run.
type env struct {
	t   *testing.T
	w   *sim.World
	log *trace.Log
	svc *scheduler.Service
	ran bool
}

// horizon bounds every test world in virtual time.
const horizon = 24 * time.Hour

func newEnv(t *testing.T, opts scheduler.Options) *env {
	t.Helper()
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxTime: horizon})
	log := &trace.Log{}
	svc := scheduler.New(w, log, t.Name(), 1, opts)
	e := &env{t: t, w: w, log: log, svc: svc}
	t.Cleanup(func() {
		if !e.ran {
			_ = svc.Run() // close the world: no virtual thread outlives the test
		}
	})
	return e
}

func defaultEnv(t *testing.T) *env { return newEnv(t, scheduler.DefaultOptions()) }

// at runs fn at virtual time d after the start of the run (setup runs at 0).
func (e *env) at(d time.Duration, fn func()) { e.w.AfterFunc(d-e.w.Now(), fn) }

// run runs the world to idle (or the horizon) and returns the trace. A run
// that ends on any other limit fails the test.
func (e *env) run() tr {
	e.t.Helper()
	e.ran = true
	err := e.svc.Run()
	require.NoError(e.t, err)
	recs := e.log.Records()
	require.NotEmpty(e.t, recs)
	last := recs[len(recs)-1]
	require.Equal(e.t, trace.EvRunEnd, last.Ev)
	return tr(recs)
}

// user / client shorthand.
func (e *env) client(name string, u *scheduler.User, apt scheduler.Apartment) *scheduler.Client {
	return e.svc.StartClient(name, u, apt)
}

// newJob creates a download job with files of the given sizes, served with
// full HTTP support.
func newJob(t *testing.T, c *scheduler.Client, sizes ...uint64) *scheduler.JobRef {
	t.Helper()
	j, res := c.CreateJob("test job", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	mustOK(t, res)
	for i, sz := range sizes {
		mustOK(t, j.AddFileSpec(scheduler.FileSpec{
			RemoteURL: fmt.Sprintf("http://h/f%d", i), LocalName: fmt.Sprintf(`C:\f%d`, i), Size: sz,
		}))
	}
	return j
}

// failingJob creates a job whose only file fails fatally at connect time
// (HTTP 404): the job goes to ERROR (G12).
func failingJob(t *testing.T, c *scheduler.Client) *scheduler.JobRef {
	t.Helper()
	j, res := c.CreateJob("failing job", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	mustOK(t, res)
	mustOK(t, j.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/missing", LocalName: `C:\missing`, Size: mb,
		Failures: []scheduler.Failure{scheduler.HTTPError(404)}}))
	return j
}

func mustOK(t *testing.T, res hr) {
	t.Helper()
	require.Equal(t, sOK, res, "HRESULT %v", res)
}

func requireHR(t *testing.T, want, got hr, msg string) {
	t.Helper()
	require.Equal(t, want, got, "%s: want %v, got %v", msg, want, got)
}

// fgResume makes a job FOREGROUND so it runs alongside the others (G47) and resumes it.
func fgResume(t *testing.T, j *scheduler.JobRef) {
	t.Helper()
	mustOK(t, j.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND))
	mustOK(t, j.Resume())
}

// tr is a trace with queries.
type tr []trace.Record

func (t tr) where(f func(r trace.Record) bool) tr {
	var out tr
	for _, r := range t {
		if f(r) {
			out = append(out, r)
		}
	}
	return out
}

func (t tr) ev(ev trace.Ev) tr { return t.where(func(r trace.Record) bool { return r.Ev == ev }) }

func (t tr) job(job string) tr { return t.where(func(r trace.Record) bool { return r.Job == job }) }

// after returns the records with seq greater than seq.
func (t tr) after(seq int64) tr { return t.where(func(r trace.Record) bool { return r.Seq > seq }) }

// stateTo returns the job.state records of job entering state to.
func (t tr) stateTo(job string, to callbackabi.JobState) tr {
	return t.where(func(r trace.Record) bool { return r.Ev == trace.EvJobState && r.Job == job && r.To == to })
}

// call is a call.begin paired with its call.end (End.Ev is 0 while the
// call never ended).
type call struct {
	Begin, End trace.Record
}

func (c call) ended() bool { return c.End.Ev == trace.EvCallEnd }

func (c call) String() string {
	s := fmt.Sprintf("call %d %s %s on %s/%s at %v", c.Begin.Call, c.Begin.Method, c.Begin.Job, c.Begin.User, c.Begin.Client, c.Begin.T)
	if c.ended() {
		s += fmt.Sprintf(" → %v %s at %v", c.End.HR, c.End.Outcome, c.End.T)
	}
	return s
}

// calls pairs every call.begin with its call.end, in call.begin order.
func (t tr) calls() []call {
	var out []call
	idx := map[int64]int{}
	for _, r := range t {
		switch r.Ev {
		case trace.EvCallBegin:
			idx[r.Call] = len(out)
			out = append(out, call{Begin: r})
		case trace.EvCallEnd:
			if i, ok := idx[r.Call]; ok {
				out[i].End = r
			}
		}
	}
	return out
}

// callsOf returns the calls of method m for job ("" = any job).
func (t tr) callsOf(job string, m trace.Method) []call {
	var out []call
	for _, c := range t.calls() {
		if (job == "" || c.Begin.Job == job) && c.Begin.Method == m {
			out = append(out, c)
		}
	}
	return out
}

// maxInFlight returns the largest number of calls in flight at once per
// user, walking the trace in order.
func (t tr) maxInFlight() map[string]int {
	cur, peak := map[string]int{}, map[string]int{}
	user := map[int64]string{}
	for _, r := range t {
		switch r.Ev {
		case trace.EvCallBegin:
			user[r.Call] = r.User
			cur[r.User]++
			peak[r.User] = max(peak[r.User], cur[r.User])
		case trace.EvCallEnd:
			cur[user[r.Call]]--
		}
	}
	return peak
}

// dump renders the trace for a failure message (without the many
// job.modified and job.progress records).
func (t tr) dump() string {
	var b strings.Builder
	for _, r := range t {
		if r.Ev == trace.EvJobModified || r.Ev == trace.EvJobProgress {
			continue
		}
		fmt.Fprintf(&b, "%d %v %s job=%s user=%s client=%s m=%s call=%d parent=%d hr=%v out=%s reason=%s from=%s to=%s flags=%d run=%d code=%d\n",
			r.Seq, r.T, r.Ev, r.Job, r.User, r.Client, r.Method, r.Call, r.Parent, r.HR, r.Outcome, r.Reason, r.From, r.To, r.Flags, r.Run, r.Code)
	}
	return b.String()
}

// seqOf returns the seq of the first record matching f, or -1.
func (t tr) seqOf(f func(r trace.Record) bool) int64 {
	for _, r := range t {
		if f(r) {
			return r.Seq
		}
	}
	return -1
}
