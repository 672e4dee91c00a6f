package scenarios

import (
	"strconv"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Swarm is the per-run mix of behaviours an adversarial world draws from
// (swarm testing: each run enables a different subset with different
// weights, so skewed mixes happen — rapid issue #69). Every weight is a
// relative chance; 0 disables the behaviour.
type Swarm struct {
	Users, Clients, Jobs int // how many of each (upper bounds)
	MinJobs              int // at least this many jobs besides
	STA                  int // chance (of 4) that a client is STA
	Late                 int // chance (of 4) that a job registers only after a while
	CmdLine              int // chance (of 4) that a job has a command line
	Disable              int // chance (of 8) that a job's flags include DISABLE
	Modification         int // chance (of 4) that a job asks for JobModification
	FileTransferred      int // chance (of 4) that a job asks for FileTransferred
	Crash                int // chance (of 4) that a client crashes at some point
	Failures             int // chance (of 4) that a file has planned failures
	Network              int // chance (of 4) of a network outage
	Takeover             int // chance (of 4) of an administrator takeover

	// Callback behaviour weights, per invocation.
	ReturnOK, ReturnSFalse, ReturnFail, Sleep, LongSleep, CallJob, Panic, Hang int
	// ReturnOdd is the weight of returning a success code other than S_OK
	// and S_FALSE (0x00000002: a success, but not S_OK, so BITS calls JT/JE
	// again, G20). Zero in the default swarm, whose draws it leaves as
	// they were.
	ReturnOdd int
	// Suspend is the chance (of 4) that a job is suspended at a drawn
	// instant and resumed a while later (G37, G38). Zero draws nothing.
	Suspend int

	// Callback, if set, makes the callback objects the world registers
	// (one per job, and one per job again after a client restarts) instead
	// of the adversarial ones: this is how the harness puts a user's
	// callback under attack. The weights above then go unused.
	Callback func(e *Env) callbackabi.Callback
	// Fair keeps the world winnable for a callback under test: no DISABLE,
	// no flags changed behind its back, every crashed client restarts and
	// registers again, every job has a short no-progress timeout.
	Fair bool

	// Faults puts every fault the service models into the world
	// (docs/WORLDS.md): the world's files come from DrawServer (set as the
	// service's Server, so files the callbacks add are drawn too), jobs may
	// be upload or upload-reply jobs, a job planned to run out of progress
	// gets a short no-progress timeout, and users log off and on again.
	// Off, the world draws exactly as it always did (seeds reproduce).
	Faults bool
	// Counts, if not nil, receives the faults a Faults world planned.
	Counts *FaultCounts

	// Window, if not zero, squeezes every instant the world draws in
	// seconds (late registrations, resumes, crashes and restarts, network
	// outages, takeovers, flag changes, the notification program's run
	// times) into windows of at most this length, so that the things
	// they start collide: the generators aimed at rare interactions
	// (AimedSwarm) set it. Zero keeps the default windows; every draw is
	// made either way, so the number of choices a world makes is the same.
	Window time.Duration
	// FlagChanges and Reregistrations, if not zero, give every job up to
	// that many more flag changes (random flags, DISABLE half the time)
	// and registrations (a new callback, or none) at instants drawn in
	// Window: the state changes that meet an owed notification, a call in
	// flight or a running program. Zero draws nothing more.
	FlagChanges, Reregistrations int
}

// secs draws an instant or a span of whole seconds in [0, n), or in the
// swarm's narrower Window.
func (sw Swarm) secs(c sim.Chooser, n int) time.Duration {
	if w := int(sw.Window / time.Second); w > 0 && w < n {
		n = w
	}
	return time.Duration(c.Intn(n)) * time.Second
}

func (sw Swarm) newCallback(e *Env) callbackabi.Callback {
	if sw.Callback != nil {
		return sw.Callback(e)
	}
	return newAdversary(e, sw)
}

// DrawSwarm draws a swarm from c.
func DrawSwarm(c sim.Chooser) Swarm {
	w := func(n int) int { return c.Intn(n + 1) }
	s := Swarm{
		Users: 1 + c.Intn(3), Clients: 1 + c.Intn(3), Jobs: 1 + c.Intn(8),
		STA: w(4), Late: w(4), CmdLine: w(4), Disable: w(2), Modification: w(4), FileTransferred: w(4),
		Crash: w(3), Failures: w(4), Network: w(2), Takeover: w(2),
		ReturnOK: 2 + w(8), ReturnSFalse: w(3), ReturnFail: w(4), Sleep: w(4), LongSleep: w(2), CallJob: w(4), Panic: w(1), Hang: w(1),
	}
	return s
}

// drawUpTo draws how many of something, from 0 to n; it draws nothing
// when n is 0.
func drawUpTo(c sim.Chooser, n int) int {
	if n <= 0 {
		return 0
	}
	return c.Intn(n + 1)
}

func chance(c sim.Chooser, n, of int) bool { return n > 0 && c.Intn(of) < n }

// Adversarial builds a random world from the choice stream: users,
// clients (STA/MTA, crashing and restarting at any time), jobs and files
// with planned errors, notify flags, registrations before and after events,
// command lines, ownership changes, network outages, and adversarial
// callbacks that return odd HRESULTs, spend virtual time, call back into
// the job, panic or hang. Under rapid the stream is rapid's draws, so a
// failure shrinks workload, schedule and faults together.
func Adversarial(sw Swarm) func(e *Env) {
	return func(e *Env) {
		c := e.World.Chooser()
		svc := e.Svc
		admin := svc.AddUser("admin", true)
		adminApp := svc.StartClient("console", admin, scheduler.MTA)
		var users []*scheduler.User
		var clients []*scheduler.Client
		for u := 0; u < sw.Users; u++ {
			user := svc.AddUser("user-"+strconv.Itoa(u+1), false)
			users = append(users, user)
			for k := 0; k < 1+c.Intn(sw.Clients); k++ {
				apt := scheduler.MTA
				if chance(c, sw.STA, 4) {
					apt = scheduler.STA
				}
				clients = append(clients, svc.StartClient("app-"+strconv.Itoa(len(clients)+1), user, apt))
			}
		}
		mine := map[int][]*scheduler.JobRef{} // jobs each client registers on, by index in clients
		skipped := map[int]bool{}             // clients whose restart fell while their user was logged off
		counts := sw.Counts
		if sw.Faults {
			if counts == nil {
				counts = new(FaultCounts)
			}
			svc.SetServer(DrawServer(c, counts))
		}
		// The notification program: exits nonzero often, sometimes completes
		// or cancels the job itself (G27), runs for a while.
		svc.SetProgram(`C:\app\notify.exe`, func(run scheduler.ProgramRun) (int, time.Duration) {
			switch c.Intn(6) {
			case 0:
				run.Job.Complete()
				return 0, time.Second
			case 1:
				run.Job.Cancel()
				return 1, time.Second
			case 2, 3:
				return 0, time.Second + sw.secs(c, 10)
			}
			return 1 + c.Intn(3), sw.secs(c, 5)
		})
		for i := 0; i < max(sw.MinJobs, 1)+c.Intn(max(sw.Jobs, 1)); i++ {
			ownerIdx := c.Intn(len(clients))
			owner := clients[ownerIdx]
			if sw.Faults {
				job := faultJob(c, owner, i, counts)
				adversarialJob(e, sw, c, job, i, ownerIdx, clients, mine, adminApp)
				continue
			}
			job := newJob(owner, "job "+strconv.Itoa(i+1))
			for f := 0; f < 1+c.Intn(3); f++ {
				spec := fileSpec("f"+strconv.Itoa(i)+"-"+strconv.Itoa(f), uint64(100_000+c.Intn(40)*250_000))
				if chance(c, sw.Failures, 4) {
					fl := scheduler.Failure{HR: callbackabi.BG_E_HTTP_ERROR([]int{404, 500, 503}[c.Intn(3)])}
					fl.Transient = c.Intn(2) == 0
					fl.Times = 1 + c.Intn(3)
					if c.Intn(2) == 0 {
						fl.AtByte = 1 + uint64(c.Intn(int(spec.Size)))
					}
					spec.Failures = []scheduler.Failure{fl}
				}
				must(job.AddFileSpec(spec))
			}
			adversarialJob(e, sw, c, job, i, ownerIdx, clients, mine, adminApp)
		}
		for idx := range clients {
			if !chance(c, sw.Crash, 4) {
				continue
			}
			at := sw.secs(c, 90)
			restart := sw.Fair || c.Intn(3) != 0
			after := time.Second + sw.secs(c, 60)
			e.At(at, func() {
				cl := clients[idx] // its current process
				if c.Intn(2) == 0 {
					cl.Crash()
				} else {
					cl.Exit()
				}
				if restart {
					e.At(e.World.Now()+after, func() {
						if clients[idx] != cl {
							return // a logon restarted it already
						}
						if !cl.User().LoggedOn() {
							skipped[idx] = true // the logon restarts it
							return
						}
						// Application initialization: register again on
						// the jobs it had (G7: BITS does not persist the
						// pointer).
						n := cl.Restart()
						clients[idx] = n
						for _, j := range mine[idx] {
							n.Job(j).SetNotifyInterface(sw.newCallback(e))
						}
					})
				}
			})
		}
		if chance(c, sw.Network, 4) {
			down := sw.secs(c, 30)
			e.At(down, func() { svc.SetNetwork(false) })
			e.At(down+time.Second+sw.secs(c, 60), func() { svc.SetNetwork(true) })
			if sw.Faults {
				counts.count(NetworkLoss)
			}
		}
		if sw.Faults {
			drawLogoffs(e, sw, c, users, clients, mine, skipped, counts)
		}
	}
}

// adversarialJob draws everything about one job after its files: retry
// and no-progress settings, notify flags, command line, priority, when it
// registers and resumes, takeover and flag changes. clients is shared with
// the crash, restart and logoff events (a restarted process replaces its
// entry), so the closures read the owner's current process.
func adversarialJob(e *Env, sw Swarm, c sim.Chooser, job *scheduler.JobRef, i, ownerIdx int, clients []*scheduler.Client,
	mine map[int][]*scheduler.JobRef, adminApp *scheduler.Client) {
	must(job.SetMinimumRetryDelay(uint32(5 + c.Intn(30))))
	if sw.Fair || chance(c, sw.Failures, 4) {
		must(job.SetNoProgressTimeout(uint32(10 + c.Intn(120))))
	}
	flags := callbackabi.NotifyFlagsDefault
	if chance(c, sw.Modification, 4) {
		flags |= callbackabi.BG_NOTIFY_JOB_MODIFICATION
	}
	if chance(c, sw.FileTransferred, 4) {
		flags |= callbackabi.BG_NOTIFY_FILE_TRANSFERRED
	}
	if !sw.Fair && chance(c, sw.Disable, 8) {
		flags |= callbackabi.BG_NOTIFY_DISABLE
	}
	if sw.Faults && c.Intn(3) == 0 && job.SetOnDemand(true) == callbackabi.S_OK {
		// An on-demand download (BITS 10.1; upload jobs refuse it) asks for
		// FileRangesTransferred: it arrives on the low lane as ranges of
		// its files arrive (G4, G16, G32).
		flags |= callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED
	}
	must(job.SetNotifyFlags(flags))
	if chance(c, sw.CmdLine, 4) {
		must(job.SetNotifyCmdLine(`C:\app\notify.exe`, "job "+strconv.Itoa(i+1)))
	}
	if c.Intn(4) == 0 {
		must(job.SetPriority(callbackabi.JobPriority(c.Intn(4))))
	}
	cb := sw.newCallback(e)
	mine[ownerIdx] = append(mine[ownerIdx], job)
	reg := func() {
		// The owner's current process: a restarted one registers too.
		if cl := clients[ownerIdx]; cl.Alive() {
			cl.Job(job).SetNotifyInterface(cb)
		}
	}
	if chance(c, sw.Late, 4) {
		e.At(sw.secs(c, 120), reg)
	} else {
		reg()
	}
	if c.Intn(5) != 0 {
		e.At(sw.secs(c, 20), func() {
			by := clients[ownerIdx]
			if sw.Fair && !by.Alive() {
				by = adminApp // the owner is down: an administrator's tool resumes it
			}
			by.Job(job).Resume()
		})
	} else {
		must(job.Resume())
	}
	if chance(c, sw.Takeover, 4) {
		e.At(sw.secs(c, 60), func() { adminApp.Job(job).TakeOwnership() })
	}
	if !sw.Fair && c.Intn(6) == 0 {
		e.At(sw.secs(c, 90), func() {
			job.SetNotifyFlags(callbackabi.NotifyFlags(c.Intn(0x40)) &^ callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED)
		})
	}
	for range drawUpTo(c, sw.FlagChanges) {
		e.At(sw.secs(c, 90), func() {
			job.SetNotifyFlags(callbackabi.NotifyFlags(c.Intn(0x40)) &^ callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED)
		})
	}
	if sw.Suspend > 0 && chance(c, sw.Suspend, 4) {
		at := sw.secs(c, 60)
		back := at + time.Second + sw.secs(c, 30)
		e.At(at, func() { job.Suspend() })
		e.At(back, func() {
			if cl := clients[ownerIdx]; cl.Alive() {
				cl.Job(job).Resume()
			} else {
				adminApp.Job(job).Resume()
			}
		})
	}
	for range drawUpTo(c, sw.Reregistrations) {
		e.At(sw.secs(c, 120), func() {
			if cl := clients[ownerIdx]; cl.Alive() {
				if c.Intn(3) == 0 {
					cl.Job(job).SetNotifyInterface(nil)
				} else {
					cl.Job(job).SetNotifyInterface(sw.newCallback(e))
				}
			}
		})
	}
}

// adversary is a callback whose every invocation draws what it does from
// the world's choice stream: return S_OK / S_FALSE / E_FAIL / another code,
// spend virtual time (sometimes far longer than anything else), call job
// methods (GetProgress — an outgoing call, so STA re-entrancy — Complete,
// Cancel, SetNotifyInterface, SetNotifyFlags), panic, or hang.
type adversary struct {
	callbackabi.RefCount
	e  *Env
	sw Swarm
}

func newAdversary(e *Env, sw Swarm) *adversary { return &adversary{e: e, sw: sw} }

var _ callbackabi.Callback3 = (*adversary)(nil)

func (a *adversary) act(job callbackabi.Job) callbackabi.HRESULT {
	c := a.e.World.Chooser()
	sw := a.sw
	weights := []int{sw.ReturnOK, sw.ReturnSFalse, sw.ReturnFail, sw.Sleep, sw.LongSleep, sw.CallJob, sw.Panic, sw.Hang, sw.ReturnOdd}
	for step := 0; step < 4; step++ {
		switch pick(c, weights) {
		case 0:
			return callbackabi.S_OK
		case 1:
			return callbackabi.S_FALSE
		case 2:
			return []callbackabi.HRESULT{callbackabi.E_FAIL, callbackabi.E_UNEXPECTED, callbackabi.RPC_E_DISCONNECTED}[c.Intn(3)]
		case 3:
			a.e.Clock.Sleep(time.Duration(1+c.Intn(3000)) * time.Millisecond)
		case 4:
			a.e.Clock.Sleep(time.Duration(1+c.Intn(30)) * time.Minute)
		case 5:
			switch c.Intn(6) {
			case 0, 1:
				job.GetProgress()
			case 2:
				job.Complete()
			case 3:
				job.Cancel()
			case 4:
				job.SetNotifyInterface(nil)
			case 5:
				job.SetNotifyFlags(callbackabi.NotifyFlagsDefault | callbackabi.BG_NOTIFY_JOB_MODIFICATION)
			}
		case 6:
			panic("adversarial callback panics")
		case 7:
			a.e.World.Park() // never returns
		case 8:
			return oddSuccess
		}
	}
	return callbackabi.S_OK
}

// oddSuccess is a success code that is neither S_OK nor S_FALSE.
const oddSuccess callbackabi.HRESULT = 2

func pick(c sim.Chooser, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	if total == 0 {
		return 0
	}
	n := c.Intn(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return 0
}

func (a *adversary) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	if a.sw.Faults { // fault worlds have on-demand jobs: FileRangesTransferred too
		return callbackabi.QueryInterfaceFor(a, iid, callbackabi.IID_IBackgroundCopyCallback,
			callbackabi.IID_IBackgroundCopyCallback2, callbackabi.IID_IBackgroundCopyCallback3)
	}
	return callbackabi.QueryInterfaceFor(a, iid, callbackabi.IID_IBackgroundCopyCallback, callbackabi.IID_IBackgroundCopyCallback2)
}

// FileRangesTransferred acts like the other methods; only fault worlds
// ask for it (IBackgroundCopyCallback3 is offered there alone).
func (a *adversary) FileRangesTransferred(job callbackabi.Job, _ callbackabi.File, _ []callbackabi.FileRange) callbackabi.HRESULT {
	return a.act(job)
}

func (a *adversary) JobTransferred(job callbackabi.Job) callbackabi.HRESULT { return a.act(job) }

func (a *adversary) JobError(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
	return a.act(job)
}

func (a *adversary) JobModification(job callbackabi.Job, _ uint32) callbackabi.HRESULT {
	return a.act(job)
}

func (a *adversary) FileTransferred(job callbackabi.Job, _ callbackabi.File) callbackabi.HRESULT {
	return a.act(job)
}

func init() {
	register(Scenario{
		Name:    "adversarial",
		Summary: "a random workload with adversarial callbacks, all drawn from the seed",
		Teaches: "Everything at once: users, STA and MTA clients that crash and restart, late registrations, " +
			"command lines, DISABLE, failures, network outages, administrator takeovers, and callbacks that " +
			"return odd HRESULTs, sleep, re-enter, panic or hang. Every documented guarantee must still hold: " +
			"`bitsim sweep adversarial --seeds 0:1000` checks them all on every seed.",
		Rules: []string{"G3", "G7", "G10", "G18", "G20", "G31", "G32", "G34"},
		InLog: func(log *trace.Log, seed uint64) (Result, error) {
			return runSwarm(log, "adversarial", seed, scheduler.DefaultOptions(), DrawSwarm)
		},
	})
}

// RunAdversarial runs one adversarial world whose swarm and workload are
// drawn from seed.
func RunAdversarial(name string, seed uint64, opts scheduler.Options) (Result, error) {
	return runSwarm(new(trace.Log), name, seed, opts, DrawSwarm)
}

// runSwarm runs the generator world of seed (RunSwarm with NewPRNG(seed)).
func runSwarm(log *trace.Log, name string, seed uint64, opts scheduler.Options, draw func(sim.Chooser) Swarm) (Result, error) {
	return RunSwarm(log, sim.NewPRNG(seed), name, opts, draw, nil)
}

// RunSwarm runs, writing into log (cleared first), the world of the
// generators (adversarial, faults, aimed-*): a 6-hour world whose every
// choice comes from c, its swarm drawn by draw, its workload by
// Adversarial. observe, if not nil, sees each record as it is written. The
// trace's run.start names the seed of c when c is a NewPRNG (sim.SeedOf),
// so that `bitsim run NAME --seed N` replays it; 0 for another chooser (a
// search's choice stream, rapid's). Package explore's targets run the same
// worlds from their choice streams.
func RunSwarm(log *trace.Log, c sim.Chooser, name string, opts scheduler.Options, draw func(sim.Chooser) Swarm, observe func(*trace.Record)) (Result, error) {
	w := sim.NewWorld(c, sim.Limits{MaxTime: 6 * time.Hour})
	seed, _ := sim.SeedOf(c)
	return RunInLog(w, log, name, seed, opts, func(e *Env) {
		if observe != nil {
			e.Svc.Observe(observe)
		}
		Adversarial(draw(w.Chooser()))(e)
	})
}
