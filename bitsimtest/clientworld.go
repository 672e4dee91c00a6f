package bitsimtest

import (
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/sim/rapidsim"
	"github.com/bitsim/bitsim/trace"
)

// clientRun is one world of CheckClient: how it was built, and what
// happened.
type clientRun struct {
	w    *sim.World
	svc  *scheduler.Service
	user *scheduler.User
	prog *proc.Program
	app  App
	c    sim.Chooser
	cov  *Coverage

	faults  scenarios.FaultCounts           // drawn for files, and the world-level ones that happened
	within  map[string]time.Duration        // user actions' response bounds
	pending []*trigger                      // drawn triggers that have not fired
	live    []Problem                       // found while the world ran
	state   map[string]callbackabi.JobState // the application's jobs (its operations) and their states
	entries map[string]int                  // the application's jobs: how many states each has entered
	nb      *neighbour                      // EventNeighbour's application, once drawn

	recs  []trace.Record
	stats scheduler.Stats
	err   error
}

// trigger fires fn once, on the nth record that matches it (or at a time).
type trigger struct {
	kind Trigger
	nth  int           // fire on the nth matching record
	wait time.Duration // WhenSlow, WhenStalled: how long a job may take before the user acts
	seen int
	done bool // WhenStalled: fired
	fn   func()
}

func runClientWorld(rt *rapid.T, log *trace.Log, newApp func(w *ClientWorld) App, o ClientOptions, cov *Coverage) *clientRun {
	defer func() {
		if p := recover(); p != nil {
			// A draw past the end of rapid's data (while shrinking, or
			// replaying an old fail file) goes back to rapid as its own
			// panic, so rapid skips the case instead of reporting a failure.
			panic(sim.Unwrap(p))
		}
	}()
	w := sim.NewWorld(rapidsim.New(rt), sim.Limits{MaxTime: o.Horizon})
	opts := scheduler.DefaultOptions()
	c := w.Chooser()
	if o.Options != nil {
		opts = *o.Options
	}
	log.Clear() // the last world's memory, reused
	svc := scheduler.New(w, log, "client", 0, opts)
	r := &clientRun{w: w, svc: svc, c: c, cov: cov, within: map[string]time.Duration{},
		state: map[string]callbackabi.JobState{}, entries: map[string]int{}}
	cov.Worlds++
	admin := svc.AddUser("admin", true)
	console := svc.StartClient("console", admin, scheduler.MTA)
	r.user = svc.AddUser("user-1", false)
	svc.SetServer(scenarios.DrawServer(r.c, &r.faults))
	svc.Observe(r.observe)
	r.app = newApp(&ClientWorld{Service: svc, Sim: w, User: r.user, Clock: w.Clock()})
	r.prog = proc.Start(svc, "app", r.user, o.Apartment, r.app.Main)
	stall := false // an action waits for a stall (WhenStalled)
	if a, ok := r.app.(Actor); ok {
		for _, act := range a.Actions() {
			if act.Within > 0 {
				r.within[act.Name] = act.Within
			}
			if r.c.Intn(4) == 0 {
				continue // this world has no such action
			}
			act := act
			prefer := Trigger("")
			if act.Within > 0 {
				prefer = WhenStalled
			}
			if r.draw(prefer, func() {
				if p := r.prog.Current(); p.Alive() {
					cov.Actions[act.Name]++
					r.prog.Act(act.Name, act.Do)
				}
			}) == WhenStalled {
				stall = true
			}
		}
	}
	for _, ev := range worldEvents {
		if slices.Contains(o.Quiet, ev) {
			continue
		}
		if ev == EventNetwork && stall {
			// An action that waits for a stall brings one along three
			// times in four: the network goes away as a callback for one
			// of the application's jobs begins, so the job waits
			// (TRANSIENT_ERROR) with the application running. Without it
			// few worlds stalled at all (a cancel that only a stall shows
			// slow was found in world 40 of a run, at the median).
			if r.c.Intn(4) != 3 {
				r.drawKind(DuringCallback, r.worldEvent(ev, console))
			}
			continue
		}
		if r.c.Intn(2) != 0 {
			continue
		}
		r.draw("", r.worldEvent(ev, console))
	}
	err := svc.Run()
	r.recs, r.stats, r.err = log.Records(), svc.Stats(), err
	for _, k := range scenarios.FaultKinds() {
		cov.Faults[k.String()] += r.faults[k]
	}
	if cov.Trace != nil {
		cov.Trace.AddTrace(r.recs)
	}
	if ch, ok := r.app.(Checker); ok {
		if err := ch.Invariant(); err != nil {
			r.live = append(r.live, Problem{Kind: KindInvariant, Msg: err.Error()})
		}
	}
	return r
}

// atTime draws an AtTime trigger's time in the first two minutes, as
// often in each decade (1–10 ms, 10–100 ms … 100 s–2 min) as in any
// other: a job's life is mostly its first seconds (a small download
// transfers in about two), and a time uniform over two minutes would
// almost always fall after it.
func (r *clientRun) atTime() time.Duration {
	lo := time.Millisecond
	for d := r.c.Intn(6); d > 0; d-- {
		lo *= 10
	}
	return min(lo+time.Duration(r.c.Intn(int(9*lo/time.Millisecond)))*time.Millisecond, 2*time.Minute)
}

// stalledLooks bounds how many more times WhenStalled looks at a stretch
// of waiting that went on while the application was down: the application
// is back 1–120 s after a crash or a logoff, and a world with nothing else
// to do must still end idle.
const stalledLooks = 4

// draw gives fn a trigger from the choice stream: uniform over the
// triggers, or one time in two prefer. An action with a response bound
// (a cancel) prefers WhenStalled: users press cancel when the progress bar
// stops, and that is when an application waiting for a notification fails
// them. It returns the trigger's kind.
func (r *clientRun) draw(prefer Trigger, fn func()) Trigger {
	kind := triggers[r.c.Intn(len(triggers))]
	if prefer != "" && r.c.Intn(2) == 0 {
		kind = prefer
	}
	r.drawKind(kind, fn)
	return kind
}

// drawKind arranges for fn to run on a trigger of the given kind.
func (r *clientRun) drawKind(kind Trigger, fn func()) {
	tr := &trigger{kind: kind, nth: 1 + r.c.Intn(3)}
	switch tr.kind {
	case WhenSlow:
		tr.wait = time.Duration(5+r.c.Intn(56)) * time.Second
	case WhenStalled:
		tr.wait = time.Duration(1+r.c.Intn(10)) * time.Second
	}
	tr.fn = func() {
		r.cov.Triggers[string(tr.kind)]++
		fn()
	}
	if tr.kind == AtTime {
		r.w.AfterFunc(r.atTime(), tr.fn)
		return
	}
	r.pending = append(r.pending, tr)
}

// observe sees every trace record as it is written: it tracks the
// application's jobs, fires triggers, and checks reported successes
// against the job's files (a partial completion is not a success).
func (r *clientRun) observe(rec *trace.Record) {
	if r.nb.observe(rec) {
		return // a job of the neighbour: not the application's
	}
	switch rec.Ev {
	case trace.EvJobCreate:
		if rec.User == r.user.Name() {
			r.state[rec.Job] = callbackabi.BG_JOB_STATE_SUSPENDED
		}
	case trace.EvJobState:
		if r.mine(rec.Job) {
			r.state[rec.Job] = rec.To
			r.entries[rec.Job]++
		}
	case trace.EvAppOutcome:
		if rec.Outcome == proc.Succeeded.String() {
			if st, done, files, ok := r.svc.JobStatus(rec.Job); ok && st == callbackabi.BG_JOB_STATE_ACKNOWLEDGED && done < files {
				r.live = append(r.live, Problem{Kind: KindFalseSuccess, Rule: "G41", Seq: rec.Seq, T: rec.T,
					Msg: fmt.Sprintf("%s reported %q with %d of its %d files (Complete answered BG_S_PARTIAL_COMPLETE)", rec.Job, rec.Outcome, done, files)})
			}
		}
	}
	if len(r.pending) == 0 {
		return
	}
	kept := r.pending[:0]
	for _, tr := range r.pending {
		if tr.kind == WhenStalled {
			if !tr.done && r.matches(tr.kind, rec) {
				r.fire(tr, rec.Job)
			}
			if !tr.done {
				kept = append(kept, tr)
			}
			continue
		}
		if r.matches(tr.kind, rec) {
			if tr.seen++; tr.seen == tr.nth {
				r.fire(tr, rec.Job)
				continue
			}
		}
		kept = append(kept, tr)
	}
	r.pending = kept
}

// fire runs tr's action at this instant, or for WhenSlow once tr.wait has
// passed if job is then still unfinished.
func (r *clientRun) fire(tr *trigger, job string) {
	switch tr.kind {
	case WhenStalled:
		// Each stretch of waiting may be the one: the first that lasts
		// tr.wait while the application runs (its user watches its
		// progress bar) fires it.
		entry, looks := r.entries[job], 0
		var check func()
		check = func() {
			switch {
			case tr.done || r.entries[job] != entry:
			case r.prog.Current().Alive():
				tr.done = true
				tr.fn()
			case looks < stalledLooks:
				// The stretch goes on with the application down (a crash, a
				// logoff): look again once it may be back.
				looks++
				r.w.AfterFunc(tr.wait, check)
			}
		}
		r.w.AfterFunc(tr.wait, check)
		return
	case WhenSlow:
	default:
		r.w.AfterFunc(0, tr.fn)
		return
	}
	r.w.AfterFunc(tr.wait, func() {
		if st := r.state[job]; !st.Final() && st != callbackabi.BG_JOB_STATE_TRANSFERRED {
			tr.fn()
		}
	})
}

// mine reports whether job is one of the application's: a job its user
// created (the world's only other user is the administrator).
func (r *clientRun) mine(job string) bool {
	_, ok := r.state[job]
	return ok
}

func (r *clientRun) matches(k Trigger, rec *trace.Record) bool {
	switch k {
	case BeforeCallbacks, WhenSlow:
		return rec.Ev == trace.EvJobCreate && r.mine(rec.Job)
	case DuringCallback:
		return rec.Ev == trace.EvCallBegin && r.mine(rec.Job)
	case WhenStalled:
		return rec.Ev == trace.EvJobState && r.mine(rec.Job) && (rec.To == callbackabi.BG_JOB_STATE_QUEUED ||
			rec.To == callbackabi.BG_JOB_STATE_CONNECTING || rec.To == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR)
	}
	if rec.Ev != trace.EvJobState || !r.mine(rec.Job) {
		return false
	}
	switch k {
	case WhileQueued:
		return rec.To == callbackabi.BG_JOB_STATE_QUEUED
	case WhileTransient:
		return rec.To == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR
	case WhileSuspended:
		return rec.To == callbackabi.BG_JOB_STATE_SUSPENDED
	case WhileTransferred:
		return rec.To == callbackabi.BG_JOB_STATE_TRANSFERRED
	case WhileError:
		return rec.To == callbackabi.BG_JOB_STATE_ERROR
	}
	return false
}

// worldEvent returns what the world does for ev.
func (r *clientRun) worldEvent(ev WorldEvent, console *scheduler.Client) func() {
	c, w := r.c, r.w
	back := time.Duration(1+c.Intn(120)) * time.Second // how long until things come back
	switch ev {
	case EventCrash:
		return func() {
			p := r.prog.Current()
			if !p.Alive() {
				return
			}
			r.cov.Events[string(ev)]++
			p.Crash()
			w.AfterFunc(back, func() {
				if r.user.LoggedOn() && !r.prog.Current().Alive() {
					r.prog.Restart()
				}
			})
		}
	case EventLogoff:
		return func() {
			if !r.user.LoggedOn() {
				return
			}
			r.cov.Events[string(ev)]++
			r.faults[scenarios.Logoff]++
			r.user.Logoff()
			w.AfterFunc(back, func() {
				r.user.Logon()
				if !r.prog.Current().Alive() {
					r.prog.Restart() // the application starts at logon
				}
			})
		}
	case EventNetwork:
		return func() {
			r.cov.Events[string(ev)]++
			r.faults[scenarios.NetworkLoss]++
			r.svc.SetNetwork(false)
			w.AfterFunc(back, func() { r.svc.SetNetwork(true) })
		}
	case EventNeighbour:
		r.nb = &neighbour{r: r, jobs: map[string]bool{}, pause: time.Duration(c.Intn(21)) * time.Second}
		return r.nb.start
	case EventTakeover:
		return func() {
			jobs, _ := console.EnumJobs(true)
			var mine []*scheduler.JobRef
			for _, j := range jobs {
				if r.mine(j.Name()) {
					mine = append(mine, j)
				}
			}
			if len(mine) == 0 {
				return
			}
			r.cov.Events[string(ev)]++
			mine[c.Intn(len(mine))].TakeOwnership()
		}
	}
	panic("bitsim: unknown world event " + string(ev))
}

// problems runs every check on the finished world.
func (r *clientRun) problems(o ClientOptions) []Problem {
	var ps []Problem
	if r.err != nil {
		ps = append(ps, Problem{Kind: KindWorldLimit, Msg: "the world ended early: " + r.err.Error()})
	}
	ps = append(ps, bitsimBugs(r.recs)...)
	ps = append(ps, callChecks(r.recs, r.stats, o.SlotBudget, neighbourClient)...)
	if n, first := r.prog.Panics(); n > 0 {
		ps = append(ps, Problem{Kind: KindPanic, Msg: fmt.Sprintf("the application panicked %d time(s) on its own threads, and each time its process crashed; the first: %s", n, first)})
	}
	mine := r.mine
	ps = append(ps, outcomeChecks(r.recs, outcomeRules{op: mine, within: r.within, grace: o.Grace})...)
	owner := map[string]string{} // an administrator's takeover makes a job theirs to clean up (G10)
	for _, rec := range r.recs {
		if rec.Ev == trace.EvJobOwner {
			owner[rec.Job] = rec.User
		}
	}
	kept := func(job string) bool { return r.mine(job) && (owner[job] == "" || owner[job] == r.user.Name()) }
	ps = append(ps, jobsLeft(r.recs, kept, o.Leave, false, o.Grace)...)
	ps = append(ps, r.live...)
	return ps
}
