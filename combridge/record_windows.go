//go:build windows

package combridge

import (
	"io"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// RecordOptions configure a [Recorder].
type RecordOptions struct {
	Scenario string        // run.start's scenario: what was recorded ("" = "combridge")
	Client   string        // the client's name in the trace ("" = "app-1")
	User     string        // the user it runs as ("" = %USERNAME%, or "user")
	Poll     time.Duration // how often every job's state is read; 0: only on calls
}

// A Recorder writes what passes through a Manager's bridge as a trace in
// format v1, with t the wall-clock time since the recording began: every
// callback invocation (call.begin, call.end), every registration, flag and
// command-line change made through the bridge, and every job state the
// bridge sees — after each call that can change it, on entry to each
// callback, and every Poll. Its run.start names these kinds in its observed
// key, so bitsim check judges the trace only by the rules they decide.
//
// A Recorder is safe for concurrent use: callbacks arrive on COM's threads.
type Recorder struct {
	opts  RecordOptions
	start time.Time
	m     *Manager

	mu    sync.Mutex
	log   trace.Log
	last  time.Duration
	calls int64
	jobs  []*recJob // in order of first sight
	open  map[uint32][]int64
	ended bool

	stop chan struct{}
	done chan struct{}
}

// recJob is one job as the recorder knows it.
type recJob struct {
	id    callbackabi.GUID
	name  string
	ref   *ref // an owned pointer to poll through; nil if none
	state callbackabi.JobState
	known bool
	reg   bool // a registration made through the bridge is in place
	gen   int  // +1 per state observation accepted
}

// Record starts recording this manager's bridge (see [Recorder]) and
// returns the recorder; call it once, right after connecting, before any
// job is created or fetched. End the recording with Recorder.End, before
// Close.
func (m *Manager) Record(o RecordOptions) *Recorder {
	if o.Scenario == "" {
		o.Scenario = "combridge"
	}
	if o.Client == "" {
		o.Client = "app-1"
	}
	if o.User == "" {
		if o.User = userName(); o.User == "" {
			o.User = "user"
		}
	}
	r := &Recorder{opts: o, start: time.Now(), m: m, open: map[uint32][]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	r.add(trace.Record{Ev: trace.EvRunStart, Scenario: o.Scenario, Version: "bitsim/1", Observed: ObservedKinds})
	r.add(trace.Record{Ev: trace.EvClientStart, Client: o.Client, User: o.User, Apartment: m.apartment.String()})
	m.rec = r
	if o.Poll > 0 && m.apartment != callbackabi.STA {
		go r.pollEvery(o.Poll)
	} else {
		close(r.done) // an STA's jobs are polled by Pump, on its thread
	}
	return r
}

func userName() string {
	v, _ := syscall.Getenv("USERNAME")
	return v
}

// add appends rec at the time now, under r.mu held by the caller or not.
func (r *Recorder) add(rec trace.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(rec)
}

func (r *Recorder) addLocked(rec trace.Record) {
	if r.ended {
		return
	}
	t := max(time.Since(r.start), r.last) // t never goes back
	r.last = t
	rec.T = t
	r.log.Append(rec)
}

// job returns the recJob of id, writing job.create the first time; p, if
// not nil, is an owned pointer to poll through.
func (r *Recorder) job(id callbackabi.GUID, p *ref) *recJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		if j.id == id {
			if j.ref == nil {
				j.ref = p
			}
			return j
		}
	}
	j := &recJob{id: id, name: "job-" + strconv.Itoa(len(r.jobs)+1), ref: p}
	r.jobs = append(r.jobs, j)
	r.addLocked(trace.Record{Ev: trace.EvJobCreate, Job: j.name, User: r.opts.User})
	return j
}

// created records a job CreateJob made: BITS creates jobs SUSPENDED.
func (r *Recorder) created(j *recJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !j.known {
		j.known, j.state = true, callbackabi.BG_JOB_STATE_SUSPENDED
		j.gen++
	}
}

// observe reads the state of j through p and records a change. Two
// observers racing (a poll and a callback) could read states in one order
// and record them in the other; so a reading is kept only if no other
// was kept while it was made, else it is made again.
func (r *Recorder) observe(j *recJob, p unsafe.Pointer) {
	if j == nil || p == nil {
		return
	}
	for try := 0; try < 8; try++ {
		r.mu.Lock()
		gen := j.gen
		r.mu.Unlock()
		var v uint32
		h := hr(syscall.SyscallN(method(p, slotGetState), uintptr(p), uintptr(unsafe.Pointer(&v))))
		if h.Failed() {
			return
		}
		r.mu.Lock()
		if j.gen == gen {
			r.setStateLocked(j, callbackabi.JobState(v))
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
}

func (r *Recorder) setStateLocked(j *recJob, s callbackabi.JobState) {
	j.gen++
	if !j.known {
		// First sight of a job not created through this bridge: from the
		// state BITS creates jobs in.
		j.known, j.state = true, callbackabi.BG_JOB_STATE_SUSPENDED
	}
	if s != j.state {
		r.addLocked(trace.Record{Ev: trace.EvJobState, Job: j.name, From: j.state, To: s})
		j.state = s
	}
}

// observeRef observes j through an owned or borrowed wrapper.
func (r *Recorder) observeRef(j *recJob, w *ref) {
	if p, ok := w.get(); ok {
		r.observe(j, p)
	}
}

// poll observes every job with a pointer to read through that is not in
// a final state.
func (r *Recorder) poll() {
	r.mu.Lock()
	var todo []*recJob
	for _, j := range r.jobs {
		if j.ref != nil && !(j.known && final(j.state)) {
			todo = append(todo, j)
		}
	}
	r.mu.Unlock()
	for _, j := range todo {
		r.observeRef(j, j.ref)
	}
}

func final(s callbackabi.JobState) bool {
	return s == callbackabi.BG_JOB_STATE_ACKNOWLEDGED || s == callbackabi.BG_JOB_STATE_CANCELLED
}

func (r *Recorder) pollEvery(d time.Duration) {
	defer close(r.done)
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
			r.poll()
		}
	}
}

// flags records a SetNotifyFlags that took effect.
func (r *Recorder) flags(j *recJob, f callbackabi.NotifyFlags) {
	r.add(trace.Record{Ev: trace.EvJobFlags, Job: j.name, Flags: f})
}

// register records a SetNotifyInterface that took effect.
func (r *Recorder) register(j *recJob, set bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if j.reg {
		reason := "client"
		if set {
			reason = "replaced"
		}
		r.addLocked(trace.Record{Ev: trace.EvJobUnregister, Job: j.name, Reason: reason})
	}
	if set {
		r.addLocked(trace.Record{Ev: trace.EvJobRegister, Job: j.name, Client: r.opts.Client, User: r.opts.User})
	}
	j.reg = set
}

// cmdline records a SetNotifyCmdLine that took effect.
func (r *Recorder) cmdline(j *recJob, set bool) {
	u := ""
	if set {
		u = r.opts.User
	}
	r.add(trace.Record{Ev: trace.EvJobCmdline, Job: j.name, User: u})
}

// begin records a callback invocation of m for j on the calling thread;
// a call already in flight on this thread (an STA's) is its parent.
func (r *Recorder) begin(j *recJob, m trace.Method) int64 {
	th := currentThreadID()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	id := r.calls
	var parent int64
	if s := r.open[th]; len(s) > 0 {
		parent = s[len(s)-1]
	}
	r.open[th] = append(r.open[th], id)
	r.addLocked(trace.Record{Ev: trace.EvCallBegin, Call: id, Job: j.name, User: r.opts.User, Client: r.opts.Client,
		Method: m, Lane: trace.LaneOf(m), Parent: parent})
	return id
}

// end records the return of call id with h.
func (r *Recorder) end(id int64, h callbackabi.HRESULT, panicked bool) {
	th := currentThreadID()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.open[th]
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == id {
			s = append(s[:i], s[i+1:]...)
			break
		}
	}
	if len(s) == 0 {
		delete(r.open, th)
	} else {
		r.open[th] = s
	}
	rec := trace.Record{Ev: trace.EvCallEnd, Call: id, HR: h}
	if panicked {
		rec.Outcome = trace.OutcomePanic
	}
	r.addLocked(rec)
}

// End stops the recording: it stops polling, reads every job's state once
// more (call it from the goroutine that connected when the manager is an
// STA), writes run.end and returns the trace. run.end's reason is "idle"
// when no callback is in flight and no job is left to transfer (every one
// SUSPENDED, ERROR, TRANSFERRED, ACKNOWLEDGED or CANCELLED) — the
// recorder's claim that the service had nothing left to do for these jobs,
// on which the catalogue judges what was still owed — and "stopped"
// otherwise, which is not judged for liveness. End is idempotent.
func (r *Recorder) End() []trace.Record {
	r.mu.Lock()
	ended := r.ended
	r.mu.Unlock()
	if !ended {
		select {
		case <-r.stop:
		default:
			close(r.stop)
		}
		<-r.done
		// A callback that has just done its work may not have returned
		// yet: give calls in flight a moment to end (a hung one stays
		// open, and the run.end says "stopped").
		for i := 0; i < 100 && r.inFlight(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		r.poll()
		r.mu.Lock()
		reason := "idle"
		if len(r.open) > 0 {
			reason = "stopped"
		}
		for _, j := range r.jobs {
			if !j.known || !atRest(j.state) {
				reason = "stopped"
			}
		}
		r.addLocked(trace.Record{Ev: trace.EvRunEnd, Reason: reason})
		r.ended = true
		r.mu.Unlock()
	}
	return r.Records()
}

func (r *Recorder) inFlight() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.open) > 0
}

func atRest(s callbackabi.JobState) bool {
	switch s {
	case callbackabi.BG_JOB_STATE_SUSPENDED, callbackabi.BG_JOB_STATE_ERROR, callbackabi.BG_JOB_STATE_TRANSFERRED,
		callbackabi.BG_JOB_STATE_ACKNOWLEDGED, callbackabi.BG_JOB_STATE_CANCELLED:
		return true
	}
	return false
}

// Records returns a copy of the records so far.
func (r *Recorder) Records() []trace.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]trace.Record(nil), r.log.Records()...)
}

// Encode writes the records so far as JSON Lines (trace format v1).
func (r *Recorder) Encode(w io.Writer) error { return trace.Encode(w, r.Records()) }
