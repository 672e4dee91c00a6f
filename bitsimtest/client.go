package bitsimtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// App is a whole BITS client under test: a program whose Main runs on the
// main thread of its process each time the process starts — at the
// beginning of the world and again after every crash, restart or logon,
// as an application's initialization would (enumerate its jobs, register
// again: G7, BITS does not keep the pointer). Main creates jobs through
// p.Client(), registers its own callback objects, starts threads, waits
// on events with timeouts (package proc has the Windows-like primitives in
// virtual time), completes or cancels, and reports each operation's outcome
// with p.Report. Main may return while the process lives on: the process
// ends only when it exits, crashes, or its user logs off.
//
// An App may also implement Actor (the user's actions) and Checker (its
// own invariants).
type App interface {
	Main(p *proc.Process)
}

// Actor is implemented by an App whose user can act: each Action is a
// thing the user does (cancel the download, pause, quit the application).
// The harness draws whether and when each happens.
type Actor interface {
	Actions() []Action
}

// Checker is implemented by an App with its own invariants. Invariant is
// called when the world has ended; it sees the application's state
// directly (the App value), not only the trace.
type Checker interface {
	Invariant() error
}

// Action is a user action. Do runs on a new thread of the application's
// current process (it does nothing while no process of the application
// runs), typically setting an event the application's threads wait on.
type Action struct {
	Name string
	Do   func(p *proc.Process)
	// Within, if positive, is the response bound: every operation open
	// when the action happens must reach its outcome within this much
	// virtual time (KindSlowResponse). A cancel has one; a pause does
	// not.
	Within time.Duration
}

// ClientWorld is what an App's constructor gets: the simulated machine.
// The application runs as User; an administrator ("admin", with a console
// process) may take its jobs over.
type ClientWorld struct {
	Service *scheduler.Service
	Sim     *sim.World
	User    *scheduler.User
	Clock   sim.Clock
}

// ClientOptions tunes CheckClient. The zero value is the strict default.
type ClientOptions struct {
	// Options is the dispatcher to test against; nil means
	// scheduler.DefaultOptions().
	Options *scheduler.Options
	// Apartment is the application's COM apartment (default MTA). Under STA
	// its main thread is the apartment's thread: callbacks reach it only
	// while it pumps (proc.Process.Pump) or when it runs no code.
	Apartment scheduler.Apartment
	// Horizon bounds each world in virtual time (default 1 h: every fault
	// of the worlds clears well within it, and a client that polls every
	// second runs 3,600 polls a world).
	Horizon time.Duration
	// SlotBudget is the longest one callback may hold its slot (default
	// 1 min of virtual time, G31).
	SlotBudget time.Duration
	// Grace is how long the application must have run while a job waited
	// for it (TRANSFERRED, ERROR, SUSPENDED) for a world cut at its Horizon
	// to judge the job left behind (default 5 min, or a quarter of Horizon
	// if that is shorter; make it longer than the longest the application
	// waits before it acts on such a job: its poll interval, its back-off).
	// A job that began to wait just before the cut, or whose user stayed
	// logged off until past it, was not left by the application; a world
	// that ends idle judges every job.
	Grace time.Duration
	// Leave lists the non-final job states the application may leave its
	// jobs in at the end (its leak policy; default none: every job must
	// end ACKNOWLEDGED or CANCELLED).
	Leave []callbackabi.JobState
	// Waive switches single checks off, each with its reason (an empty
	// reason panics; KindBitsimBug cannot be waived).
	Waive map[Kind]string
	// Quiet draws no world events of the given kinds (for example
	// []WorldEvent{EventLogoff} for an application that runs as a
	// service account, always logged on).
	Quiet []WorldEvent
	// HangAfter is how long one world may take in real time (default
	// DefaultHangAfter; negative: no limit). Code that blocks outside
	// virtual time — a Go channel, a sync.Mutex, time.Sleep — or loops
	// forever holds its world up for good; past this the harness crashes
	// the test binary with one line naming the test, the world and the
	// line that blocked, instead of hanging until go test's -timeout. Only
	// a world that would never end is affected.
	HangAfter time.Duration
}

// DefaultHangAfter is the real time a world of CheckClient or
// CheckCallback may take before the harness reports it as hung (a world
// takes a fraction of a millisecond; 30 s leaves room for the race
// detector and a loaded machine).
const DefaultHangAfter = 30 * time.Second

// WorldEvent is a kind of thing the world does to the application, drawn
// with a time or a trigger in each world.
type WorldEvent string

// The world events.
const (
	EventCrash    WorldEvent = "crash"    // the process crashes; it is started again later
	EventLogoff   WorldEvent = "logoff"   // the user logs off (the processes die, transfers stop) and on again later
	EventNetwork  WorldEvent = "network"  // the network goes away for a while
	EventTakeover WorldEvent = "takeover" // an administrator takes one of the application's jobs over
	// EventNeighbour: another application of the same user starts and
	// downloads a job of its own, which it completes when its callback
	// hears JobTransferred (cancels on JobError). Its callbacks take
	// 0–20 s, holding slots of the user the application shares (G31). The
	// application must leave that job alone (KindForeignJob).
	EventNeighbour WorldEvent = "neighbour"
)

var worldEvents = []WorldEvent{EventCrash, EventLogoff, EventNetwork, EventTakeover, EventNeighbour}

// Trigger is when a drawn action or world event happens.
type Trigger string

// The triggers.
const (
	AtTime           Trigger = "at-time"           // at a drawn virtual time in the first two minutes, as often in each decade (ms, 10 ms … 100 s)
	BeforeCallbacks  Trigger = "before-callbacks"  // as the application creates its first job
	DuringCallback   Trigger = "during-callback"   // as a callback to the application begins
	WhileQueued      Trigger = "while-queued"      // as a job of the application becomes QUEUED
	WhileTransient   Trigger = "while-transient"   // … TRANSIENT_ERROR
	WhileSuspended   Trigger = "while-suspended"   // … SUSPENDED
	WhileTransferred Trigger = "while-transferred" // … TRANSFERRED
	WhileError       Trigger = "while-error"       // … ERROR
	// WhenSlow: the user loses patience — a job of the application is
	// still unfinished (not TRANSFERRED, not final) 5–60 s after it was
	// created (the 1st–3rd job).
	WhenSlow Trigger = "when-slow"
	// WhenStalled: the user watches the progress bar stop — a job of the
	// application has waited without moving (QUEUED, CONNECTING or
	// TRANSIENT_ERROR: no network, a server that fails, its turn not come)
	// for 1–10 s in one stretch while the application runs (a cancel
	// prefers this trigger one time in two, and then brings a stall along
	// three times in four: the network goes away as a callback for one of
	// the application's jobs begins). No JobModification comes
	// while it waits (G13, G14): what the application does then shows
	// whether it acts on its user's request or waits for a notification.
	WhenStalled Trigger = "when-stalled"
)

var triggers = []Trigger{AtTime, BeforeCallbacks, DuringCallback, WhileQueued, WhileTransient, WhileSuspended, WhileTransferred, WhileError, WhenSlow, WhenStalled}

// Triggers returns every trigger.
func Triggers() []Trigger { return slices.Clone(triggers) }

// WorldEvents returns every world event.
func WorldEvents() []WorldEvent { return slices.Clone(worldEvents) }

// Coverage counts, over all the worlds of one check, what the worlds
// contained: the faults drawn for files, the world events and user actions
// that happened and the triggers that fired them. A kind that never
// occurs means the check could not have found the bugs it provokes.
type Coverage struct {
	Worlds   int
	Faults   map[string]int
	Events   map[string]int
	Actions  map[string]int
	Triggers map[string]int
	// Trace tallies what the worlds' traces reached (package coverage):
	// every event kind, callback method, call result, job state and
	// dispatcher interaction. CheckClient fills it; nil in a Coverage
	// made by hand.
	Trace *coverage.Tally
}

func newCoverage() *Coverage {
	return &Coverage{Faults: map[string]int{}, Events: map[string]int{}, Actions: map[string]int{}, Triggers: map[string]int{}, Trace: coverage.New()}
}

// Add adds the counts of o to c (the coverage of several checks).
func (c *Coverage) Add(o *Coverage) {
	c.Worlds += o.Worlds
	if o.Trace != nil {
		if c.Trace == nil {
			c.Trace = coverage.New()
		}
		c.Trace.Merge(o.Trace)
	}
	for _, g := range [][2]map[string]int{{c.Faults, o.Faults}, {c.Events, o.Events}, {c.Actions, o.Actions}, {c.Triggers, o.Triggers}} {
		for k, n := range g[1] {
			g[0][k] += n
		}
	}
}

// String lists every count, sorted by name, one group a line.
func (c *Coverage) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d worlds", c.Worlds)
	for _, g := range []struct {
		name string
		m    map[string]int
	}{{"faults", c.Faults}, {"world events", c.Events}, {"user actions", c.Actions}, {"triggers", c.Triggers}} {
		keys := make([]string, 0, len(g.m))
		for k := range g.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, "\n  %s:", g.name)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%d", k, g.m[k])
		}
	}
	if c.Trace != nil {
		b.WriteString("\n")
		c.Trace.Report(&b)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// CheckClient puts a whole BITS client under attack. For each world rapid
// draws, it builds a machine (the application's user, an administrator,
// servers whose files fail in every way the service models — see
// docs/WORLDS.md), starts the application's process running app.Main,
// and draws the user's actions and the world's events (crash and restart,
// logoff and logon, network loss, an administrator's takeover), each at a
// time or on a trigger (before the first callback, during a callback,
// while a job is QUEUED, TRANSIENT_ERROR, SUSPENDED, TRANSFERRED or ERROR).
// When the world has ended it checks:
//
//   - the outcomes the application reported: each operation (each job it
//     created) gets exactly one; "succeeded" only for a job ACKNOWLEDGED
//     with all its files; a response within the bound after a user action
//     that sets one;
//   - no job left behind outside ClientOptions.Leave;
//   - the callback contract: G5, G20, G35, the slot budget (G31), no panic;
//   - every documented guarantee (a violation is a bitsim bug);
//   - the App's own Invariant.
//
// A failure is shrunk keeping its kind (the check that failed), saved as a
// rapid fail file, and reported on one screen: the check and its rule, the
// shrunk world as a story with virtual times, the trace file (for `bitsim
// render`), and the command that replays it. CheckClient returns what the
// worlds contained; -v prints it.
func CheckClient(t rapid.TB, newApp func(w *ClientWorld) App, o ClientOptions) *Coverage {
	t.Helper()
	o = o.withDefaults()
	cov := newCoverage()
	log := takeLog() // one for every world, run after run: its memory is reused
	defer giveLog(log)
	checkWorlds(t, o.HangAfter, func(rt *rapid.T) ([]Problem, func(Kind) string) {
		run := runClientWorld(rt, log, newApp, o, cov)
		ps := waive(run.problems(o), o.Waive)
		return ps, func(kind Kind) string {
			return tellWorld(t.Name(), run.recs)
		}
	})
	t.Logf("bitsim: %v", cov)
	return cov
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.Horizon <= 0 {
		o.Horizon = time.Hour
	}
	if o.SlotBudget <= 0 {
		o.SlotBudget = time.Minute
	}
	if o.Grace <= 0 {
		o.Grace = min(5*time.Minute, o.Horizon/4)
	}
	checkWaivers(o.Waive)
	return o
}

// checkWaivers panics on a waiver without a reason, or of KindBitsimBug.
func checkWaivers(w map[Kind]string) {
	for c, why := range w {
		if strings.TrimSpace(why) == "" {
			panic(fmt.Sprintf("bitsim: Waive[%q] has no reason: say why the check does not apply", c))
		}
		if c == KindBitsimBug {
			panic("bitsim: Waive: KindBitsimBug cannot be waived (it is a bug in bitsim)")
		}
	}
}

// waive drops the problems of waived checks.
func waive(ps []Problem, w map[Kind]string) []Problem {
	if len(w) == 0 {
		return ps
	}
	out := ps[:0]
	for _, p := range ps {
		if _, off := w[p.Kind]; !off {
			out = append(out, p)
		}
	}
	return out
}

// tellWorld writes the trace and returns the story with its path.
func tellWorld(testName string, recs []trace.Record) string {
	s := story(recs, 24)
	if path, err := saveFailureTrace(testName, recs); err == nil {
		s += "trace: " + path + " (bitsim render " + path + " --format html --out t.html)"
	}
	return s
}
