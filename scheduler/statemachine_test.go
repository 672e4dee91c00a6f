package scheduler_test

// A rapid state-machine test of the job state machine against a small,
// independent reference model of table 2.10 (G37–G46, G47's scheduling
// invariants, G49).
//
// The model is this file's own code: it never calls scheduler internals.
// For a method call it predicts the exact HRESULT and the exact state, or
// the two states a Resume may leave behind in the same instant (QUEUED, or
// CONNECTING if the scheduler started the job at once). What the engine
// does on its own while virtual time passes depends on the schedule, so for
// a time advance the model computes the set of states reachable through
// the Automatic column of table 2.10 (G43, G44), restricted by what it
// knows: a job with no planned failure and no range problem, on a network
// that is up, can never reach an error state; a job whose network error is
// still pending (G44) can only stay or time out. The retry schedule is
// checked exactly on the public trace: a TRANSIENT_ERROR → QUEUED that
// happens on its own comes no earlier than the minimum retry delay in force
// at the error (G45), and never for a network error (G44). After each
// action the model reads every job through the public API, checks the
// observation against its prediction and then adopts it, so its
// nondeterminism never accumulates and every later prediction stays sharp.
//
// Invariants checked after every action: final states are absorbing — a
// CANCELLED or ACKNOWLEDGED job reads exactly the same forever (G42);
// progress is monotone and consistent (G50) and done files are a prefix
// (G47: files FIFO); TRANSFERRED is entered only with every file done
// (G11); GetError is available exactly in ERROR and TRANSIENT_ERROR (G49);
// no job transfers while the network is down (G44); FOREGROUND jobs never
// wait, and exactly one background job runs while any is active, with the
// best background priority (G47); enumeration lists exactly the non-final
// jobs (G42).

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/sim/rapidsim"
	"github.com/bitsim/bitsim/trace"
)

// stateSet is a set of job states.
type stateSet uint16

func setOf(states ...abi.JobState) stateSet {
	var s stateSet
	for _, st := range states {
		s |= 1 << st
	}
	return s
}

func (s stateSet) has(st abi.JobState) bool { return s&(1<<st) != 0 }

func (s stateSet) String() string {
	var names []string
	for st := abi.JobState(0); st <= sCancelled; st++ {
		if s.has(st) {
			names = append(names, st.String())
		}
	}
	return "{" + strings.Join(names, ", ") + "}"
}

// active are the states the scheduler moves jobs between on its own.
var active = setOf(sQueued, sConnecting, sTransferring)

func isFinal(st abi.JobState) bool { return st == sAcknowledged || st == sCancelled }

// smFile is what the model knows about a file it added.
type smFile struct {
	size        uint64
	renameFails int  // Complete calls left that cannot rename it (once done)
	deleteFails bool // BG_S_UNABLE_TO_DELETE_FILES
	risky       bool // a planned failure, or no range support on a download
}

// smView is one reading of a job through the public API.
type smView struct {
	State      abi.JobState
	Progress   abi.JobProgress
	Files      []abi.FileProgress
	Flags      abi.NotifyFlags
	ErrorCount uint32
	ErrorHR    hresult
	ErrorCode  hresult
	Priority   abi.JobPriority
	RetryDelay uint32
	NoProgress uint32
	Owner      string
	Display    string
	Descr      string
}

// smJob is the model of one job.
type smJob struct {
	ref   *scheduler.JobRef
	typ   abi.JobType
	files []smFile

	// Set by the model's own predictions.
	prio    abi.JobPriority
	flags   abi.NotifyFlags
	retry   uint32 // seconds, after the 5 s clamp (G45)
	noProg  uint32
	owner   string
	display string
	descr   string

	// Adopted from the last observation (after it was checked).
	v      smView
	done   int     // files done: a prefix of files (G47)
	frozen *smView // the view when it became final (G42)

	// From the trace: the current TRANSIENT_ERROR's start, the retry
	// delay in force then, and its error code.
	teAt    time.Duration
	teRetry uint32
	teCode  hresult
	lastErr hresult
}

func (j *smJob) state() abi.JobState { return j.v.State }

func (j *smJob) risky() bool {
	for _, f := range j.files {
		if f.risky {
			return true
		}
	}
	return false
}

// smCoverage counts what the runs of TestStateMachine exercised, so the
// test can show it was not green by accident (no vacuous pass).
type smCoverage struct {
	states  [sCancelled + 1]int        // observations per state
	edges   map[[2]abi.JobState]int    // observed state changes
	results map[string]map[hresult]int // per method: HRESULTs returned
}

func (c *smCoverage) result(method string, res hresult) {
	if c.results == nil {
		c.results = map[string]map[hresult]int{}
	}
	if c.results[method] == nil {
		c.results[method] = map[hresult]int{}
	}
	c.results[method][res]++
}

// sm is the system under test together with its model.
type sm struct {
	w      *sim.World
	log    *trace.Log
	svc    *scheduler.Service
	app    *scheduler.Client // alice, not an administrator
	adm    *scheduler.Client // root, an administrator
	jobs   []*smJob
	net    bool // the model's network
	logPos int  // trace records already read
	nfile  int
	cov    *smCoverage
}

const smMaxJobs = 8
const smMaxFiles = 5

func newSM(t *rapid.T, cov *smCoverage) *sm {
	w := sim.NewWorld(rapidsim.New(t), sim.Limits{})
	log := &trace.Log{}
	svc := scheduler.New(w, log, "statemachine", 0, scheduler.DefaultOptions())
	m := &sm{w: w, log: log, svc: svc, net: true, cov: cov}
	m.app = svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	m.adm = svc.StartClient("adm-1", svc.AddUser("root", true), scheduler.MTA)
	return m
}

func (m *sm) pick(t *rapid.T) *smJob {
	if len(m.jobs) == 0 {
		t.Skip("no job yet")
	}
	return m.jobs[rapid.IntRange(0, len(m.jobs)-1).Draw(t, "job")]
}

func (m *sm) view(t *rapid.T, j *smJob) smView {
	must := func(res hresult, what string) {
		if res != abi.S_OK {
			t.Fatalf("%s %s: %v, want S_OK in every state", j.ref.Name(), what, res)
		}
	}
	var v smView
	var res hresult
	v.State, res = j.ref.GetState()
	must(res, "GetState")
	v.Progress, res = j.ref.GetProgress()
	must(res, "GetProgress")
	files, res := j.ref.EnumFiles()
	must(res, "EnumFiles")
	for _, f := range files {
		p, res := f.GetProgress()
		must(res, "File.GetProgress")
		v.Files = append(v.Files, p)
	}
	v.Flags, res = j.ref.GetNotifyFlags()
	must(res, "GetNotifyFlags")
	v.ErrorCount, res = j.ref.GetErrorCount()
	must(res, "GetErrorCount")
	e, res := j.ref.GetError()
	v.ErrorHR = res
	if res == abi.S_OK {
		_, v.ErrorCode, res = e.GetError()
		must(res, "Error.GetError")
	}
	v.Priority, res = j.ref.GetPriority()
	must(res, "GetPriority")
	v.RetryDelay, res = j.ref.GetMinimumRetryDelay()
	must(res, "GetMinimumRetryDelay")
	v.NoProgress, res = j.ref.GetNoProgressTimeout()
	must(res, "GetNoProgressTimeout")
	v.Owner, res = j.ref.GetOwner()
	must(res, "GetOwner")
	v.Display, res = j.ref.GetDisplayName()
	must(res, "GetDisplayName")
	v.Descr, res = j.ref.GetDescription()
	must(res, "GetDescription")
	return v
}

// how an action may have changed jobs besides the state.
type change uint8

const (
	changeNothing  change = iota // a method call: no byte moves, no error is recorded
	changeErrors                 // a network loss: errors may be recorded, no byte moves
	changeAdvanced               // time passed: anything the engine does on its own
)

// settle reads every job after an action, checks the reading against the
// model (allowed[i]: the states job i may be in now) and adopts it.
func (m *sm) settle(t *rapid.T, what string, allowed []stateSet, how change) {
	now := m.w.Now()
	m.readTrace(t, what, how)
	for i, j := range m.jobs {
		v := m.view(t, j)
		name := j.ref.Name()
		fail := func(format string, args ...any) {
			t.Fatalf("after %s at %v: %s (%v, was %v): %s", what, now, name, v.State, j.state(), fmt.Sprintf(format, args...))
		}
		if !allowed[i].has(v.State) {
			fail("state not in %v (table 2.10)", allowed[i])
		}
		if j.frozen != nil {
			if fmt.Sprint(*j.frozen) != fmt.Sprint(v) {
				fail("G42: a final job changed:\nwas %+v\nnow %+v", *j.frozen, v)
			}
			continue
		}
		// Properties the model set.
		if v.Priority != j.prio || v.Flags != j.flags || v.RetryDelay != j.retry || v.NoProgress != j.noProg ||
			v.Owner != j.owner || v.Display != j.display || v.Descr != j.descr {
			fail("properties %+v, model prio=%v flags=%v retry=%d noProgress=%d owner=%s display=%q descr=%q",
				v, j.prio, j.flags, j.retry, j.noProg, j.owner, j.display, j.descr)
		}
		// G49: the error object exists exactly in ERROR and TRANSIENT_ERROR.
		inError := v.State == sError || v.State == sTransient
		if inError != (v.ErrorHR == abi.S_OK) {
			fail("G49: GetError = %v", v.ErrorHR)
		}
		if v.ErrorHR != abi.S_OK && v.ErrorHR != abi.BG_E_ERROR_INFORMATION_UNAVAILABLE {
			fail("G49: GetError = %v", v.ErrorHR)
		}
		if inError && !v.ErrorCode.Failed() {
			fail("G49: error code %v", v.ErrorCode)
		}
		// G50: progress.
		p := v.Progress
		if int(p.FilesTotal) != len(j.files) || len(v.Files) != len(j.files) {
			fail("G50: FilesTotal %d, model has %d files", p.FilesTotal, len(j.files))
		}
		var sum uint64
		done := 0
		for k, f := range v.Files {
			sum += j.files[k].size
			isDone := f.BytesTotal == j.files[k].size && f.BytesTransferred == f.BytesTotal
			if f.BytesTotal != abi.BG_SIZE_UNKNOWN && f.BytesTotal != j.files[k].size {
				fail("G50: file %d BytesTotal %d, size %d", k, f.BytesTotal, j.files[k].size)
			}
			if f.BytesTransferred > j.files[k].size {
				fail("G50: file %d transferred %d > size %d", k, f.BytesTransferred, j.files[k].size)
			}
			if isDone && done != k {
				fail("G47: files transfer first in first out; file %d done after %d", k, done)
			}
			if isDone {
				done++
			}
			if f.Completed && !isFinal(v.State) {
				fail("G50: file %d Completed before Complete", k)
			}
		}
		if int(p.FilesTransferred) != done {
			fail("G50: FilesTransferred %d, %d files done", p.FilesTransferred, done)
		}
		if p.BytesTotal != abi.BG_SIZE_UNKNOWN && p.BytesTotal != sum {
			fail("G50: BytesTotal %d, sizes add up to %d", p.BytesTotal, sum)
		}
		if p.BytesTransferred > sum {
			fail("G50: BytesTransferred %d > %d", p.BytesTransferred, sum)
		}
		// Monotone progress; nothing moves without time (a method call).
		prev := j.v
		if p.BytesTransferred < prev.Progress.BytesTransferred || done < j.done || v.ErrorCount < prev.ErrorCount {
			fail("progress went back: bytes %d→%d files %d→%d errors %d→%d",
				prev.Progress.BytesTransferred, p.BytesTransferred, j.done, done, prev.ErrorCount, v.ErrorCount)
		}
		if how != changeAdvanced && (p.BytesTransferred != prev.Progress.BytesTransferred || done != j.done) {
			fail("bytes moved during a %s", what)
		}
		if how == changeNothing && v.ErrorCount != prev.ErrorCount {
			fail("an error was recorded by %s", what)
		}
		// G11: TRANSFERRED is entered only when every file is done.
		if v.State == sTransferred && prev.State != sTransferred && done != len(j.files) {
			fail("G11: TRANSFERRED with %d of %d files done", done, len(j.files))
		}
		// G44: a network error pending while the network stays down: no retry, no new error.
		if how == changeAdvanced && !m.net && prev.State == sTransient && prev.ErrorCode == abi.BG_E_NETWORK_DISCONNECTED &&
			v.ErrorCount != prev.ErrorCount {
			fail("G44: a job waiting for the network was retried")
		}
		// Adopt.
		m.cov.states[v.State]++
		if v.State != prev.State {
			if m.cov.edges == nil {
				m.cov.edges = map[[2]abi.JobState]int{}
			}
			m.cov.edges[[2]abi.JobState{prev.State, v.State}]++
		}
		j.v, j.done = v, done
		if isFinal(v.State) {
			frozen := v
			j.frozen = &frozen
		}
	}
	m.invariants(t, what)
}

// readTrace reads the job.state and job.error records the action wrote
// (the trace is public output) and checks the retry schedule exactly: a
// TRANSIENT_ERROR → QUEUED that happens on its own, while time passes, is
// a retry; it comes no earlier than the minimum retry delay in force when
// the error happened (G45), and never for a network error (G44: the job
// waits for the network instead).
func (m *sm) readTrace(t *rapid.T, what string, how change) {
	recs := m.log.Records()
	for _, r := range recs[m.logPos:] {
		if r.Ev != trace.EvJobState && r.Ev != trace.EvJobError {
			continue
		}
		var j *smJob
		for _, k := range m.jobs {
			if k.ref.Name() == r.Job {
				j = k
			}
		}
		if j == nil {
			t.Fatalf("trace line %d: unknown job %q", r.Seq, r.Job)
		}
		if r.Ev == trace.EvJobError {
			j.lastErr = r.HR
			continue
		}
		if r.To == sTransient {
			j.teAt, j.teRetry, j.teCode = r.T, j.retry, j.lastErr
		}
		if r.From == sTransient && r.To == sQueued && how == changeAdvanced {
			if j.teCode == abi.BG_E_NETWORK_DISCONNECTED {
				t.Fatalf("after %s: trace line %d: %s retried a network error at %v (G44)", what, r.Seq, r.Job, r.T)
			}
			if due := j.teAt + time.Duration(j.teRetry)*time.Second; r.T < due {
				t.Fatalf("after %s: trace line %d: %s retried at %v, before %v = error at %v + minimum retry delay %d s (G45)",
					what, r.Seq, r.Job, r.T, due, j.teAt, j.teRetry)
			}
		}
	}
	m.logPos = len(recs)
}

// invariants are the checks that hold between any two actions.
func (m *sm) invariants(t *rapid.T, what string) {
	fail := func(format string, args ...any) {
		t.Fatalf("after %s at %v: %s", what, m.w.Now(), fmt.Sprintf(format, args...))
	}
	var running []*smJob
	bestQueued := abi.JobPriority(99)
	for _, j := range m.jobs {
		st, prio := j.state(), j.prio
		if !m.net && st == sTransferring {
			fail("G44: %s transfers while the network is down", j.ref.Name())
		}
		if prio == abi.BG_JOB_PRIORITY_FOREGROUND {
			if st == sQueued {
				fail("G47: FOREGROUND %s waits in QUEUED", j.ref.Name())
			}
			continue
		}
		switch st {
		case sConnecting, sTransferring:
			running = append(running, j)
		case sQueued:
			bestQueued = min(bestQueued, prio)
		}
	}
	if len(running) > 1 {
		fail("G47: %d background jobs run at once", len(running))
	}
	if bestQueued != 99 && len(running) == 0 {
		fail("G47: a background job waits while none runs")
	}
	if len(running) == 1 && bestQueued < running[0].prio {
		fail("G47: %s (%v) runs while a %v job waits", running[0].ref.Name(), running[0].prio, bestQueued)
	}
	// G42: enumeration lists exactly the non-final jobs (alice's, all).
	var mine, all []string
	for _, j := range m.jobs {
		if isFinal(j.state()) {
			continue
		}
		all = append(all, j.ref.Name())
		if j.owner == "alice" {
			mine = append(mine, j.ref.Name())
		}
	}
	for _, c := range []struct {
		cl   *scheduler.Client
		all  bool
		want []string
	}{{m.app, false, mine}, {m.adm, true, all}} {
		refs, res := c.cl.EnumJobs(c.all)
		if res != abi.S_OK {
			fail("EnumJobs: %v", res)
		}
		var got []string
		for _, r := range refs {
			got = append(got, r.Name())
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			fail("G42: EnumJobs(%v) = %v, want %v", c.all, got, c.want)
		}
	}
}

// unchanged is the allowed sets when an action can move nothing.
func (m *sm) unchanged() []stateSet {
	out := make([]stateSet, len(m.jobs))
	for i, j := range m.jobs {
		out[i] = setOf(j.state())
	}
	return out
}

// rescheduled is the allowed sets after an action that lets the scheduler
// decide again which jobs run: an active job may be started or preempted
// in the same instant (G43, G47), nothing else moves.
func (m *sm) rescheduled() []stateSet {
	out := m.unchanged()
	for i, j := range m.jobs {
		if active.has(j.state()) {
			out[i] = active
		}
	}
	return out
}

// method runs a job method and checks its HRESULT and effect.
func (m *sm) method(t *rapid.T, j *smJob, name string, want hresult, to stateSet, resched bool, call func() hresult) {
	var allowed []stateSet
	if resched {
		allowed = m.rescheduled()
	} else {
		allowed = m.unchanged()
	}
	for i, k := range m.jobs {
		if k == j {
			allowed[i] = to
		}
	}
	got := call()
	m.cov.result(strings.SplitN(name, "(", 2)[0], got)
	if got != want {
		t.Fatalf("%s %s in %v: HRESULT %v, model says %v", j.ref.Name(), name, j.state(), got, want)
	}
	m.settle(t, j.ref.Name()+" "+name, allowed, changeNothing)
}

// --- actions ---------------------------------------------------------------

func (m *sm) create(t *rapid.T) {
	if len(m.jobs) >= smMaxJobs {
		t.Skip("enough jobs")
	}
	typ := rapid.SampledFrom([]abi.JobType{tDownload, tDownload, tUpload, tUploadReply}).Draw(t, "type")
	ref, res := m.app.CreateJob("sm", typ)
	if res != abi.S_OK {
		t.Fatalf("CreateJob: %v", res)
	}
	j := &smJob{ref: ref, typ: typ, prio: abi.BG_JOB_PRIORITY_NORMAL, flags: abi.NotifyFlagsDefault,
		retry: 600, noProg: 1_209_600, owner: "alice", display: "sm"}
	// G37: a new job is SUSPENDED with zero progress.
	j.v = smView{State: sSuspended}
	m.jobs = append(m.jobs, j)
	allowed := m.unchanged()
	m.settle(t, "CreateJob", allowed, changeNothing)
	if j.v.Progress != (abi.JobProgress{}) {
		t.Fatalf("G37: new job progress %+v", j.v.Progress)
	}
	// Usually a job gets its files and is resumed at once (each step is
	// checked like the actions of the same name).
	if rapid.IntRange(0, 3).Draw(t, "startNow") > 0 {
		for range rapid.IntRange(1, 3).Draw(t, "initialFiles") {
			m.addFileTo(t, j, false)
		}
		m.resumeJob(t, j)
	}
}

var smFailureCodes = []hresult{
	abi.BG_E_HTTP_ERROR(404), abi.BG_E_HTTP_ERROR(503), abi.BG_E_CONNECT_FAILURE,
	abi.BG_E_CONNECTION_CLOSED, abi.BG_E_DESTINATION_LOCKED, abi.E_FAIL,
}

func (m *sm) addFile(t *rapid.T) { m.addFileTo(t, m.pick(t), true) }

// addFileTo adds a generated file to j; with mayBeBad, sometimes a bad one.
func (m *sm) addFileTo(t *rapid.T, j *smJob, mayBeBad bool) {
	m.nfile++
	size := rapid.OneOf( // 10 MB/s: done in a chunk, in seconds, or in about a minute
		rapid.Uint64Range(1, 2*stMB), rapid.Uint64Range(2*stMB, 60*stMB), rapid.Uint64Range(60*stMB, 800*stMB),
	).Draw(t, "size")
	spec := scheduler.FileSpec{
		RemoteURL: fmt.Sprintf("http://srv/f%d", m.nfile), LocalName: fmt.Sprintf(`C:\f%d`, m.nfile), Size: size,
		NoHeadSize:  rapid.IntRange(0, 7).Draw(t, "noHead") == 0,
		NoRanges:    rapid.IntRange(0, 7).Draw(t, "noRanges") == 0,
		RenameFails: rapid.SampledFrom([]int{0, 0, 0, 1, 2}).Draw(t, "renameFails"),
		DeleteFails: rapid.IntRange(0, 7).Draw(t, "deleteFails") == 0,
	}
	for range rapid.IntRange(0, 2).Draw(t, "failures") {
		f := scheduler.Failure{
			HR:        rapid.SampledFrom(smFailureCodes).Draw(t, "hr"),
			Transient: rapid.Bool().Draw(t, "transient"),
			Times:     rapid.IntRange(0, 3).Draw(t, "times"),
		}
		if size > 1 && rapid.Bool().Draw(t, "midway") {
			f.AtByte = rapid.Uint64Range(1, size-1).Draw(t, "atByte") // before the end: a failing chunk never completes the file
		}
		spec.Failures = append(spec.Failures, f)
	}
	// Sometimes bad input: E_INVALIDARG and nothing changes.
	invalid := 0
	if mayBeBad {
		invalid = rapid.IntRange(0, 24).Draw(t, "invalid")
	}
	switch invalid {
	case 1:
		spec.RemoteURL = rapid.SampledFrom([]string{"", "ftp://srv/x", "http://", "srv/x"}).Draw(t, "badURL")
	case 2:
		spec.LocalName = ""
	case 3:
		spec.Failures = append(spec.Failures, scheduler.Failure{HR: rapid.SampledFrom([]hresult{abi.S_OK, abi.S_FALSE, abi.BG_S_PARTIAL_COMPLETE}).Draw(t, "successHR")})
	case 4:
		spec.Failures = append(spec.Failures, scheduler.Failure{HR: abi.E_FAIL, Times: -rapid.IntRange(1, 3).Draw(t, "negTimes")})
	}
	want := abi.S_OK
	switch {
	case isFinal(j.state()):
		want = abi.BG_E_INVALID_STATE
	case invalid >= 1 && invalid <= 4:
		want = abi.E_INVALIDARG
	case j.typ != tDownload && len(j.files) >= 1:
		want = abi.BG_E_TOO_MANY_FILES // upload jobs take one file
	case len(j.files) >= abi.MaxFilesPerJob:
		want = abi.BG_E_TOO_MANY_FILES_IN_JOB
	}
	if want == abi.S_OK && len(j.files) >= smMaxFiles {
		t.Skip("enough files")
	}
	if want == abi.S_OK {
		// The model adds the file first: the reading after the call must show it (G50).
		j.files = append(j.files, smFile{size: size, renameFails: spec.RenameFails, deleteFails: spec.DeleteFails,
			risky: len(spec.Failures) > 0 || (spec.NoRanges && j.typ == tDownload)})
	}
	m.method(t, j, "AddFileSpec", want, setOf(j.state()), false, func() hresult { return j.ref.AddFileSpec(spec) })
}

func (m *sm) resume(t *rapid.T) { m.resumeJob(t, m.pick(t)) }

func (m *sm) resumeJob(t *rapid.T, j *smJob) {
	st := j.state()
	switch {
	case isFinal(st):
		m.method(t, j, "Resume", abi.BG_E_INVALID_STATE, setOf(st), false, j.ref.Resume)
	case active.has(st):
		m.method(t, j, "Resume", abi.S_OK, setOf(st), false, j.ref.Resume) // G38: unchanged
	case len(j.files) == 0:
		m.method(t, j, "Resume", abi.BG_E_EMPTY, setOf(st), false, j.ref.Resume) // G38
	case st == sTransferred && j.done == len(j.files):
		m.method(t, j, "Resume", abi.BG_E_EMPTY, setOf(st), false, j.ref.Resume) // ambiguity 15
	default:
		// SUSPENDED, ERROR, TRANSIENT_ERROR (retry now), TRANSFERRED with new files.
		m.method(t, j, "Resume", abi.S_OK, setOf(sQueued, sConnecting), true, j.ref.Resume)
	}
}

func (m *sm) suspend(t *rapid.T) {
	j := m.pick(t)
	if st := j.state(); isFinal(st) {
		m.method(t, j, "Suspend", abi.BG_E_INVALID_STATE, setOf(st), false, j.ref.Suspend)
		return
	}
	m.method(t, j, "Suspend", abi.S_OK, setOf(sSuspended), true, j.ref.Suspend) // G39
}

func (m *sm) cancel(t *rapid.T) {
	j := m.pick(t)
	if st := j.state(); isFinal(st) {
		m.method(t, j, "Cancel", abi.BG_E_INVALID_STATE, setOf(st), false, j.ref.Cancel)
		return
	}
	want := abi.S_OK
	for _, f := range j.files {
		if f.deleteFails {
			want = abi.BG_S_UNABLE_TO_DELETE_FILES // G40
		}
	}
	m.method(t, j, "Cancel", want, setOf(sCancelled), true, j.ref.Cancel)
}

func (m *sm) complete(t *rapid.T) {
	j := m.pick(t)
	st := j.state()
	switch {
	case isFinal(st):
		m.method(t, j, "Complete", abi.BG_E_INVALID_STATE, setOf(st), false, j.ref.Complete)
		return
	case j.typ != tDownload && st != sTransferred:
		m.method(t, j, "Complete", abi.BG_E_INVALID_STATE, setOf(st), false, j.ref.Complete) // G41: uploads only in TRANSFERRED
		return
	}
	// G41 + ambiguity 16: a done file that cannot be renamed fails the
	// call and leaves the job as it was. Done files are the first j.done.
	for k := 0; k < j.done; k++ {
		if j.files[k].renameFails > 0 {
			j.files[k].renameFails--
			m.method(t, j, "Complete", abi.E_ACCESSDENIED, setOf(st), false, j.ref.Complete)
			return
		}
	}
	want := abi.S_OK
	if j.done < len(j.files) {
		want = abi.BG_S_PARTIAL_COMPLETE
	} else {
		for _, f := range j.files {
			if f.deleteFails {
				want = abi.BG_S_UNABLE_TO_DELETE_FILES
			}
		}
	}
	doneBefore := j.done
	m.method(t, j, "Complete", want, setOf(sAcknowledged), true, j.ref.Complete)
	// G50: Complete made exactly the done files available.
	for k := range j.files {
		if j.frozen.Files[k].Completed != (k < doneBefore) {
			t.Fatalf("G41/G50: file %d Completed=%v after Complete with %d files done", k, j.frozen.Files[k].Completed, doneBefore)
		}
	}
}

func (m *sm) setPriority(t *rapid.T) {
	j := m.pick(t)
	p := abi.JobPriority(rapid.IntRange(0, 5).Draw(t, "priority"))
	call := func() hresult { return j.ref.SetPriority(p) }
	switch st := j.state(); {
	case isFinal(st):
		m.method(t, j, "SetPriority", abi.BG_E_INVALID_STATE, setOf(st), false, call)
	case p > abi.BG_JOB_PRIORITY_LOW:
		m.method(t, j, "SetPriority", abi.E_NOTIMPL, setOf(st), false, call)
	default:
		j.prio = p
		to := setOf(st)
		if active.has(st) {
			to = active // G47: it may now preempt, or be preempted
		}
		m.method(t, j, fmt.Sprintf("SetPriority(%v)", p), abi.S_OK, to, true, call)
	}
}

func (m *sm) setNotifyFlags(t *rapid.T) {
	j := m.pick(t)
	f := abi.NotifyFlags(rapid.SampledFrom([]uint32{0, 1, 2, 3, 4, 7, 8, 0x10, 0x20, 0x3F, 0x40, 0x83}).Draw(t, "flags"))
	call := func() hresult { return j.ref.SetNotifyFlags(f) }
	switch st := j.state(); {
	case isFinal(st):
		m.method(t, j, "SetNotifyFlags", abi.BG_E_INVALID_STATE, setOf(st), false, call)
	case f&^abi.NotifyFlagsValid != 0:
		m.method(t, j, "SetNotifyFlags", abi.E_NOTIMPL, setOf(st), false, call) // G2
	default:
		j.flags = f
		m.method(t, j, "SetNotifyFlags", abi.S_OK, setOf(st), false, call)
	}
}

func (m *sm) setRetryDelay(t *rapid.T) {
	j := m.pick(t)
	sec := uint32(rapid.IntRange(0, 40).Draw(t, "retrySeconds"))
	call := func() hresult { return j.ref.SetMinimumRetryDelay(sec) }
	if st := j.state(); isFinal(st) {
		m.method(t, j, "SetMinimumRetryDelay", abi.BG_E_INVALID_STATE, setOf(st), false, call)
		return
	}
	j.retry = max(sec, 5) // G45
	m.method(t, j, "SetMinimumRetryDelay", abi.S_OK, setOf(j.state()), false, call)
}

func (m *sm) setNoProgress(t *rapid.T) {
	j := m.pick(t)
	sec := uint32(rapid.SampledFrom([]int{0, 3, 10, 30, 120, 3600, 1_209_600}).Draw(t, "noProgressSeconds"))
	call := func() hresult { return j.ref.SetNoProgressTimeout(sec) }
	if st := j.state(); isFinal(st) {
		m.method(t, j, "SetNoProgressTimeout", abi.BG_E_INVALID_STATE, setOf(st), false, call)
		return
	}
	j.noProg = sec
	m.method(t, j, "SetNoProgressTimeout", abi.S_OK, setOf(j.state()), false, call)
}

func (m *sm) takeOwnership(t *rapid.T) {
	j := m.pick(t)
	admin := rapid.Bool().Draw(t, "admin")
	ref := m.app.Job(j.ref)
	if admin {
		ref = m.adm.Job(j.ref)
	}
	switch st := j.state(); {
	case isFinal(st):
		m.method(t, j, "TakeOwnership", abi.BG_E_INVALID_STATE, setOf(st), false, ref.TakeOwnership)
	case !admin:
		m.method(t, j, "TakeOwnership", abi.E_ACCESSDENIED, setOf(st), false, ref.TakeOwnership)
	default:
		j.owner = "root"
		m.method(t, j, "TakeOwnership", abi.S_OK, setOf(st), false, ref.TakeOwnership) // G10: state untouched
	}
}

func (m *sm) setStrings(t *rapid.T) {
	j := m.pick(t)
	descr := rapid.Bool().Draw(t, "description")
	limit := 256
	if descr {
		limit = 1024
	}
	n := rapid.SampledFrom([]int{0, 1, limit, limit + 1, 4 * limit}).Draw(t, "length")
	v := strings.Repeat("ü", n)
	call := func() hresult { return j.ref.SetDisplayName(v) }
	name := "SetDisplayName"
	if descr {
		call = func() hresult { return j.ref.SetDescription(v) }
		name = "SetDescription"
	}
	switch st := j.state(); {
	case isFinal(st):
		m.method(t, j, name, abi.BG_E_INVALID_STATE, setOf(st), false, call)
	case n > limit:
		m.method(t, j, name, abi.BG_E_STRING_TOO_LONG, setOf(st), false, call)
	default:
		if descr {
			j.descr = v
		} else {
			j.display = v
		}
		m.method(t, j, name, abi.S_OK, setOf(st), false, call)
	}
}

func (m *sm) network(t *rapid.T) {
	up := rapid.Bool().Draw(t, "up")
	allowed := m.unchanged()
	how := changeNothing
	switch {
	case up == m.net:
		// No change: nothing happens.
	case !up:
		// G44: every active job → TRANSIENT_ERROR (or ERROR when the
		// no-progress timeout is 0 or has run out, G46), recorded as a
		// network error.
		how = changeErrors
		for i, j := range m.jobs {
			if active.has(j.state()) {
				allowed[i] = setOf(sTransient, sError)
			}
		}
	default:
		// G44 ("Users and Network Connections": "When a network connection
		// is established, all jobs in a BG_JOB_STATE_TRANSIENT_ERROR state,
		// which may include any error code, are moved to the
		// BG_JOB_STATE_QUEUED state."): every TRANSIENT_ERROR job returns to
		// QUEUED.
		allowed = m.rescheduled()
		for i, j := range m.jobs {
			if j.state() == sTransient {
				allowed[i] = setOf(sQueued, sConnecting)
			}
		}
	}
	before := make([]smView, len(m.jobs))
	for i, j := range m.jobs {
		before[i] = j.v
	}
	wasUp := m.net
	m.net = up
	m.svc.SetNetwork(up)
	m.settle(t, fmt.Sprintf("SetNetwork(%v)", up), allowed, how)
	if wasUp && !up {
		for i, j := range m.jobs {
			if !active.has(before[i].State) {
				continue
			}
			// The GetErrorCount page: "BITS does not increase the count
			// when network disconnects occur".
			if j.v.ErrorCode != abi.BG_E_NETWORK_DISCONNECTED || j.v.ErrorCount != before[i].ErrorCount {
				t.Fatalf("G44: %s after the network loss: error %v, count %d→%d", j.ref.Name(), j.v.ErrorCode, before[i].ErrorCount, j.v.ErrorCount)
			}
		}
	}
}

// reachable is the closure of the Automatic column of table 2.10 from j's
// state, given what the model knows.
func (m *sm) reachable(j *smJob) stateSet {
	st := j.state()
	if !active.has(st) && st != sTransient {
		return setOf(st) // SUSPENDED, ERROR, TRANSFERRED (JobInactivityTimeout not modelled), final
	}
	if !m.net && st == sTransient && j.v.ErrorCode == abi.BG_E_NETWORK_DISCONNECTED {
		return setOf(sTransient, sError) // G44: waits for the network; G46 may time it out
	}
	risky := j.risky() || !m.net
	allDone := j.done == len(j.files)
	next := func(s abi.JobState) stateSet {
		switch s {
		case sQueued:
			return setOf(sConnecting)
		case sConnecting:
			out := setOf(sQueued)
			if m.net {
				out |= setOf(sTransferring)
			}
			if risky {
				out |= setOf(sTransient, sError)
			}
			if allDone {
				out |= setOf(sTransferred) // nothing left to transfer
			}
			return out
		case sTransferring:
			out := setOf(sQueued, sTransferred)
			if risky {
				out |= setOf(sTransient, sError)
			}
			return out
		case sTransient:
			return setOf(sQueued, sError)
		}
		return 0
	}
	seen := setOf(st)
	for changed := true; changed; {
		changed = false
		for s := abi.JobState(0); s <= sCancelled; s++ {
			if seen.has(s) {
				if n := next(s) &^ seen; n != 0 {
					seen |= n
					changed = true
				}
			}
		}
	}
	return seen
}

func (m *sm) advance(t *rapid.T) {
	d := time.Duration(rapid.OneOf(
		rapid.Int64Range(int64(time.Millisecond), int64(200*time.Millisecond)), // inside CONNECTING (ConnectLatency 100 ms)
		rapid.Int64Range(int64(time.Millisecond), int64(2*time.Second)),
		rapid.Int64Range(int64(2*time.Second), int64(90*time.Second)),
		rapid.Int64Range(int64(90*time.Second), int64(2*time.Hour)),
	).Draw(t, "advance"))
	m.advanceBy(t, d)
}

func (m *sm) advanceBy(t *rapid.T, d time.Duration) {
	allowed := make([]stateSet, len(m.jobs))
	for i, j := range m.jobs {
		allowed[i] = m.reachable(j)
	}
	if err := m.w.RunUntil(m.w.Now() + d); err != nil {
		t.Fatalf("RunUntil: %v", err)
	}
	m.settle(t, fmt.Sprintf("advance %v", d), allowed, changeAdvanced)
}

// finish: with the network back, a long wait lets every job come to rest,
// and final states stay final (G42).
func (m *sm) finish(t *rapid.T) {
	if !m.net {
		m.svc.SetNetwork(true)
		allowed := m.rescheduled()
		for i, j := range m.jobs {
			if j.state() == sTransient {
				allowed[i] = setOf(sQueued, sConnecting)
			}
		}
		m.net = true
		m.settle(t, "SetNetwork(true)", allowed, changeNothing)
	}
	m.advanceBy(t, 20*24*time.Hour)
	for _, j := range m.jobs {
		if st := j.state(); active.has(st) || st == sTransient {
			t.Fatalf("%s still %v after 20 days with the network up: the engine is stuck", j.ref.Name(), st)
		}
	}
	if err := m.svc.Run(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, r := range m.log.Records() {
		if r.Ev == trace.EvJobState && isFinal(r.From) {
			t.Fatalf("G42: trace line %d: %s left %v for %v", r.Seq, r.Job, r.From, r.To)
		}
	}
}

// actions is the action table for rapid's Repeat. rapid draws an action
// name uniformly, so an action listed under several names ("advance#2") is
// drawn that much more often: files, Resume and time advances are what get
// jobs into the interesting states, Cancel and Complete end them.
func (m *sm) actions() map[string]func(*rapid.T) {
	weighted := []struct {
		name   string
		weight int
		action func(*rapid.T)
	}{
		{"create", 2, m.create},
		{"addFile", 4, m.addFile},
		{"resume", 4, m.resume},
		{"advance", 6, m.advance},
		{"suspend", 1, m.suspend},
		{"cancel", 1, m.cancel},
		{"complete", 2, m.complete},
		{"setPriority", 2, m.setPriority},
		{"setNotifyFlags", 1, m.setNotifyFlags},
		{"setRetryDelay", 1, m.setRetryDelay},
		{"setNoProgress", 1, m.setNoProgress},
		{"takeOwnership", 1, m.takeOwnership},
		{"setStrings", 1, m.setStrings},
		{"network", 1, m.network},
	}
	out := map[string]func(*rapid.T){
		"": func(t *rapid.T) { m.invariants(t, "check") },
	}
	for _, a := range weighted {
		out[a.name] = a.action
		for i := 2; i <= a.weight; i++ {
			out[fmt.Sprintf("%s#%d", a.name, i)] = a.action
		}
	}
	return out
}

func TestStateMachine(t *testing.T) {
	cov := &smCoverage{}
	rapid.Check(t, func(t *rapid.T) {
		m := newSM(t, cov)
		defer m.w.Close()
		t.Repeat(m.actions())
		m.finish(t)
	})
	if t.Failed() {
		return
	}
	t.Logf("states observed: %v", cov.states)
	t.Logf("transitions observed: %v", cov.edges)
	for meth, rs := range cov.results {
		t.Logf("%s: %v", meth, rs)
	}
	// No vacuous green: the runs reached every row of table 2.10 and the
	// main results of the state-changing methods (each is seen tens to
	// hundreds of times per 100 runs of 30 steps; -short runs too few).
	if testing.Short() {
		return
	}
	for st := abi.JobState(0); st <= sCancelled; st++ {
		if cov.states[st] == 0 {
			t.Errorf("no run ever observed a job in %v", st)
		}
	}
	for meth, want := range map[string][]hresult{
		"Resume":   {abi.S_OK, abi.BG_E_EMPTY, abi.BG_E_INVALID_STATE},
		"Complete": {abi.S_OK, abi.BG_S_PARTIAL_COMPLETE, abi.BG_E_INVALID_STATE},
		"Suspend":  {abi.S_OK, abi.BG_E_INVALID_STATE},
		"Cancel":   {abi.S_OK, abi.BG_E_INVALID_STATE},
	} {
		for _, res := range want {
			if cov.results[meth][res] == 0 {
				t.Errorf("no run ever saw %s return %v", meth, res)
			}
		}
	}
}
