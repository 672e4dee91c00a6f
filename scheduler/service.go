package scheduler

import (
	"errors"
	"strconv"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// TraceVersion is written into run.start.
const TraceVersion = "bitsim/1"

// Event classes: at one instant, state changes settle before dispatch, and
// dispatch before callbacks run. Ties within a class come from the choice
// stream.
const (
	classState    sim.Class = 0
	classDispatch sim.Class = 1
	classInvoke   sim.Class = 2
	classTimer    sim.Class = 3
)

// Service is the BITS service model: users, client processes, jobs and the
// notification dispatcher, running in one sim.World.
type Service struct {
	w    *sim.World
	opts Options
	log  *trace.Log
	// progress is the trace Name of the commonest job.modified reason,
	// interned once (reasonName).
	progress trace.Name
	step     uint64 // the bytes a chunk moves (Options.Bandwidth × Chunk, at least 1)

	users   []*User
	clients []*Client
	slabs   [][]job // the jobs, by index (slabOf, jobPtr, eachJob)
	njobs   int
	// warmSink sums what warmChunk reads, so its loads are kept; never read.
	warmSink uint64
	servers  []server

	network    bool
	policyZero bool   // SetMaxInternetBandwidthZero (policy.go)
	netUps     int    // times the network came back (SetNetwork(true))
	cancelling []*job // cancelled upload jobs whose server-side cancel may still be pending (policy.go)
	queueSeq   int64
	pool       []*job      // active background jobs (all active jobs under WineCompat)
	fgStart    []*job      // FOREGROUND jobs that became QUEUED, to start
	liveJobs   int         // jobs not in a final state
	ready      ring[int32] // launched calls, in launch order
	// A transfer chunk's handler runs the call it launches itself as it
	// ends, when that call would be the next event anyway (sim.World.
	// TailSoon): tail is set while the handler may hold its first launch,
	// held is that call (index+1; 0: none). See launch and endChunk.
	tail      bool
	held      int32
	nextCall  int64
	calls     []*call // every call ever made; finished ones are reused
	freeCalls fifo    // finished calls, oldest first (takeCall)
	programs  map[string]Program
	threads   map[*sim.Thread]*Client // ClientOf (app.go)
	fileSrv   Server                  // plans the files AddFile adds (nil: the 1 MiB default)
	broken    jobError                // objHR/fileHR of the planned Failure the next setError records
	wine      wineWorker

	// event kinds
	kConnect, kChunk, kSlice, kRetry, kNoProgress, kReply, kInactive kindID
	kPump, kInvoke, kCallRetry, kJMTimer, kCmdExit, kCmdRetry        kindID
	kMaxDownload                                                     kindID

	stats Stats
}

type kindID = sim.Kind

// Stats counts what happened in a run; properties use them to prove the
// situation they are about actually occurred (no vacuous green).
type Stats struct {
	Calls             int64 // callback invocations begun
	Retries           int64 // JT/JE/FT invocations after a failure
	LateRegistrations int64 // registrations that made a JT/JE owed after the event
	SlotWaits         int64 // dispatches that found every slot busy
	BothLanesWaiting  int64 // a slot freed with both lanes non-empty
	Nested            int64 // nested STA deliveries (G34)
	Disconnects       int64 // calls that found the client dead
	CmdLineRuns       int64
	Panics            int64
	CrashWhileOwed    int64 // a client crashed while a JT/JE to it was owed
	Activations       int64 // CLSID activations (G9)
	ArgumentMisuse    int64 // a callback used its job/file/error argument after returning (G35)
	// FirstPanic tells the first callback panic: the call, the virtual
	// time, the panic's value and the function it came from, as in
	// "JobModification(job-1) at 1.5s: send on closed channel, in
	// examples.(*Progress).post (progress.go:148)". Empty if none.
	FirstPanic string
}

// New makes a service in w and writes run.start and run.config.
func New(w *sim.World, log *trace.Log, scenario string, seed uint64, opts Options) *Service {
	opts.normalize()
	s := &Service{w: w, opts: opts, log: log, network: true}
	s.step = max(uint64(opts.Bandwidth)*uint64(opts.Chunk)/uint64(time.Second), 1)
	if s.log == nil {
		s.log = &trace.Log{}
	}
	// Every handler is a closure that calls its method directly with the
	// event's A and B (sim.World.Handle says why not a method value): one
	// call of a known function per event, not the closure's call of a
	// method value's wrapper.
	s.kConnect = w.Handle(func(ev sim.Event) { s.onConnect(ev.A, ev.B) })
	s.kChunk = w.Handle(func(ev sim.Event) {
		s.tail = true
		s.onChunk(ev.A, ev.B)
		s.endChunk()
	})
	w.Prefetch(s.kChunk, s.warmChunk)
	s.kSlice = w.Handle(func(ev sim.Event) { s.onSlice(ev.A, ev.B) })
	s.kRetry = w.Handle(func(ev sim.Event) { s.onTransferRetry(ev.A, ev.B) })
	s.kNoProgress = w.Handle(func(ev sim.Event) { s.onNoProgress(ev.A, ev.B) })
	s.kReply = w.Handle(func(ev sim.Event) { s.onReply(ev.A, ev.B) })
	s.kInactive = w.Handle(func(ev sim.Event) { s.onInactive(ev.A, ev.B) })
	// Timers set far ahead that their job may have outlived: a world whose
	// only pending events are such timers has nothing left to do, and
	// ends idle rather than at its deadline (sim.World.Stale).
	w.Stale(s.kRetry, s.retryStale)
	w.Stale(s.kNoProgress, s.noProgressStale)
	w.Stale(s.kInactive, s.inactiveStale)
	s.kPump = w.Handle(func(ev sim.Event) { s.onPump(ev.A, ev.B) })
	s.kInvoke = w.Handle(func(ev sim.Event) { s.onInvoke(ev.A, ev.B) })
	w.Prefetch(s.kInvoke, s.warmInvoke)
	s.kCallRetry = w.Handle(func(ev sim.Event) { s.onCallRetry(ev.A, ev.B) })
	s.kJMTimer = w.Handle(func(ev sim.Event) { s.onJMTimer(ev.A, ev.B) })
	s.kCmdExit = w.Handle(func(ev sim.Event) { s.onCmdExit(ev.A, ev.B) })
	s.kCmdRetry = w.Handle(func(ev sim.Event) { s.onCmdRetry(ev.A, ev.B) })
	s.kMaxDownload = w.Handle(func(ev sim.Event) { s.onMaxDownload(ev.A, ev.B) })
	s.rec(trace.Record{Ev: trace.EvRunStart, Seed: seed, Scenario: scenario, Version: TraceVersion})
	interval := time.Duration(0)
	if s.opts.Profile == ProfileDefault && s.opts.Version.AtLeast(5, 0) {
		interval = callbackabi.DefaultMinNotificationInterval
	}
	s.rec(trace.Record{Ev: trace.EvRunConfig, Profile: opts.Profile.String(), Bits: opts.Version.String(),
		Cap: int64(opts.Cap), Interval: interval, Strict: opts.StrictSOK, Delay: opts.CallbackRetryDelay})
	return s
}

// World returns the world the service runs in.
func (s *Service) World() *sim.World { return s.w }

// Clock is the virtual clock a callback uses to spend time (Sleep blocks
// the virtual thread it runs on).
func (s *Service) Clock() sim.Clock { return s.w.Clock() }

// Options returns the options in force.
func (s *Service) Options() Options { return s.opts }

// Stats returns the situation counters so far.
func (s *Service) Stats() Stats { return s.stats }

// Log returns the trace.
func (s *Service) Log() *trace.Log { return s.log }

func (s *Service) now() time.Duration { return s.w.Now() }

func (s *Service) rec(r trace.Record) {
	r.T = s.w.Now()
	s.log.Append(r)
}

// pack writes a record in its packed form (trace.Packed): no strings are
// built or copied, the job, user and client are the Names they interned
// once. The trace is byte-identical to rec's.
//
// The records of every notification go through packJob, packCall and
// packEnd instead (and a chunk's two through trace.Log.AppendProgress,
// moved; a JobModification's call through runJM), which pass only the
// fields their kinds use to the log's narrow appenders
// (trace.Log.AppendJob, AppendCall, AppendEnd; AppendFields' doc says why
// as arguments: about 5 ns a record here).
func (s *Service) pack(p trace.Packed) {
	p.T = s.w.Now()
	s.log.AppendPacked(p)
}

// packJob writes record ev of job (job.state, job.progress, job.modified,
// file.done) with its Text, A and B, as pack would.
func (s *Service) packJob(ev trace.Ev, job, text trace.Name, a, b int64) {
	s.log.AppendJob(s.w.Now(), ev, job, text, a, b)
}

// packCall writes record ev (call.begin, call.queued) of call c, which
// takes a slot of u, with B (call.begin's parent), as pack would.
func (s *Service) packCall(ev trace.Ev, c *call, u *User, b int64) {
	s.log.AppendCall(s.w.Now(), ev, c.job().nid(), u.nid(), c.client().nid(), methodOf[c.m], laneOf[c.lane], c.id, b)
}

// packEnd writes record ev (call.end, call.unqueued) of the call id with
// its B (call.end's HRESULT) and Text (its outcome), as pack would.
func (s *Service) packEnd(ev trace.Ev, id, b int64, text trace.Name) {
	s.log.AppendEnd(s.w.Now(), ev, text, id, b)
}

// reasonName returns the trace Name of a job.modified reason.
func (s *Service) reasonName(reason string) trace.Name {
	if reason == "progress" && s.progress != 0 {
		return s.progress // every chunk's: inlined
	}
	return s.internReason(reason)
}

// internReason is reasonName's first "progress" and every other reason.
func (s *Service) internReason(reason string) trace.Name {
	n := s.log.Name(reason)
	if reason == "progress" {
		s.progress = n
	}
	return n
}

// nid returns the user's name as a trace Name, interning it the first time.
func (u *User) nid() trace.Name {
	if u.nameID == 0 {
		u.nameID = u.s.log.NewName(u.name)
	}
	return u.nameID
}

// nid returns the client's name as a trace Name, interning it the first
// time.
func (c *Client) nid() trace.Name {
	if c.nameID == 0 {
		c.nameID = c.s.log.NewName(c.name)
	}
	return c.nameID
}

// nid returns the job's name as a trace Name.
func (j *job) nid() trace.Name { return j.nameID }

// name returns the job's trace id ("job-N").
func (j *job) name() string { return j.s.log.NameString(j.nameID) }

// Observe makes fn see every trace record the service writes from now on,
// right after it is appended to the log (with its seq and time), on the
// thread that wrote it (trace.Log.Observe): a harness uses it to act when a
// job enters a state or during a callback. fn may read *r during the call
// only (the Record is reused for the next one): it copies what it keeps.
// fn may call into the service (a user action); the records that writes
// are observed too, nested. There is at most one observer: Observe
// replaces the previous one, Observe(nil) removes it. Without an observer
// recording costs one comparison more.
func (s *Service) Observe(fn func(r *trace.Record)) { s.log.Observe(fn) }

// Server plans the server behind a file a job adds with AddFile: given the
// remote name and the job's type, it returns the FileSpec (size, HEAD and
// range support, planned failures, rename and delete faults). Its RemoteURL
// and LocalName are ignored: AddFile's own arguments are used.
type Server func(remoteURL string, typ callbackabi.JobType) FileSpec

// SetServer makes AddFile ask srv for the server behaviour of every file
// it adds (AddFileSpec is unaffected); nil restores the default, a 1 MiB
// file on a server with full HTTP support. A harness uses it to draw faults
// for the files the application under test adds itself.
func (s *Service) SetServer(srv Server) { s.fileSrv = srv }

// Run runs the world until nothing is left to do, or until the world's
// MaxTime limit (run.end reason "deadline"), and writes run.end. Hitting
// any other limit (events, nesting depth) is an error: the run ends with a
// limit event naming it. Run closes the world: callbacks still blocked are
// unwound.
func (s *Service) Run() error {
	err := s.w.Run()
	reason := "idle"
	var le *sim.LimitError
	switch {
	case errors.As(err, &le) && le.Limit == "time":
		reason, err = "deadline", nil
	case err != nil:
		reason = "limit: " + err.Error()
		s.rec(trace.Record{Ev: trace.EvLimit, Reason: err.Error()})
	}
	s.rec(trace.Record{Ev: trace.EvRunEnd, Reason: reason})
	s.w.Close()
	return err
}

// User is an account on the machine. Callbacks run in the context of the
// user who registered them (G10); the four-slot cap is per user (G31).
type User struct {
	s      *Service
	idx    int
	name   string
	nameID trace.Name // name interned in the log (nid)
	admin  bool
	busy   int          // calls in flight
	lanes  [2]ring[req] // waiting dispatches: [0] high, [1] low
	pump   bool         // a pump event is scheduled
	jobs   int          // non-final jobs owned (policy limit)
	off    bool         // logged off (Logoff): no process runs, no job transfers
	svc    bool         // a service account (AddServiceAccount): always logged on, no notification program
}

// AddUser adds a user; admin users may TakeOwnership and are exempt from
// the policy limits.
func (s *Service) AddUser(name string, admin bool) *User {
	u := &User{s: s, name: name, admin: admin, idx: len(s.users)}
	s.users = append(s.users, u)
	return u
}

// AddServiceAccount adds the service account name (callbackabi.LocalSystem,
// LocalService or NetworkService; any other name panics). A service
// account is always logged on (Logoff panics) and exempt from the policy
// limits; LocalSystem is an administrator. No notification program ever
// runs for a job it owns (G30): SetNotifyCmdLine on such a job answers S_OK
// and GetNotifyCmdLine reads it back, but it does not take effect (no
// job.cmdline). Sources: "Users and Network Connections": "The
// LocalSystem, LocalService, and NetworkService system accounts are always
// logged on; therefore, jobs submitted by a service using these accounts
// always run."; the SetNotifyCmdLine page: "If the BITS job is in a service
// account context (i.e. networkservice/localsystem/localservice), no form
// of command line callback will be executed."; S-GP: the job limits "do not
// apply to administrators or service accounts".
func (s *Service) AddServiceAccount(name string) *User {
	if !callbackabi.IsServiceAccount(name) {
		panic("scheduler: AddServiceAccount(" + name + "): not LocalSystem, LocalService or NetworkService")
	}
	u := s.AddUser(name, name == callbackabi.LocalSystem)
	u.svc = true
	return u
}

// ServiceAccount reports whether the user is a service account.
func (u *User) ServiceAccount() bool { return u.svc }

// exempt reports whether the policy limits spare u (S-GP).
func (u *User) exempt() bool { return u.admin || u.svc }

// Name returns the user name used in the trace.
func (u *User) Name() string { return u.name }

// Busy returns the number of this user's callback invocations in flight.
func (u *User) Busy() int { return u.busy }

// Apartment is a client's COM threading model (callbackabi.Apartment).
type Apartment = callbackabi.Apartment

const (
	// MTA: each invocation runs on its own thread; invocations may
	// overlap up to the per-user cap.
	MTA = callbackabi.MTA
	// STA: every invocation runs on the client's one thread; an outgoing
	// COM call from inside a callback lets BITS deliver another pending
	// notification nested on that thread (G34).
	STA = callbackabi.STA
)

// Client is one client process of a user.
type Client struct {
	// What a call reads, in the first cache line: a Client is 192 bytes,
	// a size class whose objects start on a line (TestClientLayout; issue
	// 13: a million jobs have a quarter of a million clients).
	user    *User
	idle    []*sim.Thread // MTA: free worker threads
	nameID  trace.Name    // name interned in the log (nid)
	apt     Apartment
	alive   bool
	staBusy bool
	staNext bool        // STA: a call was handed to the thread and has not begun yet
	call    int64       // the call running innermost on the client's threads (0: none; PumpSTA nests under it)
	th      *sim.Thread // STA: the one thread

	s    *Service
	name string
	base string
	gen  int
	staQ fifo // STA: calls waiting for the thread
	nthr int
	app  clientApp // application code on the client's threads (app.go)
}

// StartClient starts a client process of user u. A process runs in its
// user's session: starting one for a user who is logged off panics.
func (s *Service) StartClient(name string, u *User, apt Apartment) *Client {
	c := &Client{s: s, name: name, base: name, gen: 1, user: u, apt: apt, alive: true}
	s.startClient(c)
	return c
}

func (s *Service) startClient(c *Client) {
	if c.user.off {
		panic("scheduler: StartClient/Restart of " + c.name + " for user " + c.user.name + ", who is logged off (Logon first)")
	}
	if c.apt == STA {
		c.th = s.w.NewThread(c.name + "/sta")
		s.adopt(c.th, c)
	}
	s.clients = append(s.clients, c)
	s.rec(trace.Record{Ev: trace.EvClientStart, Client: c.name, User: c.user.name, Apartment: c.apt.String()})
}

// Name returns the client's trace id ("app-1", "app-1#2" after a restart).
func (c *Client) Name() string { return c.name }

// User returns the client's user.
func (c *Client) User() *User { return c.user }

// Alive reports whether the process is running.
func (c *Client) Alive() bool { return c.alive }

// Exit ends the process cleanly. Its callback pointers die with it (G7);
// BITS finds that out on its next call (G23).
func (c *Client) Exit() { c.end("exit") }

// Crash ends the process abruptly; as Exit, but recorded as a crash.
func (c *Client) Crash() { c.end("crash") }

func (c *Client) end(reason string) {
	if !c.alive {
		return
	}
	c.alive = false
	s := c.s
	s.rec(trace.Record{Ev: trace.EvClientExit, Client: c.name, User: c.user.name, Apartment: c.apt.String(), Reason: reason})
	for j := range s.eachJob {
		if j.reg.client == c && (j.owedJT() || j.owedJE()) {
			s.stats.CrashWhileOwed++
		}
	}
	// Calls in flight to the process fail (G23): BITS finds the pointer
	// dead. Those still queued for its STA thread too.
	for c.staQ.len() > 0 {
		if cl := s.calls[c.staQ.pop()]; s.validAtStart(cl) {
			s.endCall(cl, 0, outcomeDisconnected)
		} else {
			s.abandon(cl)
		}
	}
	for _, cl := range s.calls {
		if cl.client() == c && cl.begun && !cl.ended && !cl.free {
			s.endCall(cl, 0, outcomeDisconnected)
		}
	}
	c.runEndHooks(reason)
}

// Restart starts a new instance of the client's program (same user and
// apartment). The new process must register again on its existing jobs
// (G7: BITS does not persist pointers). Restarting a client whose user is
// logged off panics (see StartClient).
func (c *Client) Restart() *Client {
	c.end("exit")
	n := &Client{s: c.s, base: c.base, gen: c.gen + 1, user: c.user, apt: c.apt, alive: true}
	n.name = c.base + "#" + strconv.Itoa(n.gen)
	c.s.startClient(n)
	return n
}
