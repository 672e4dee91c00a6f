package scheduler

import (
	"strconv"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/trace"
)

// Program is the simulated behaviour of a notification program registered
// with SetNotifyCmdLine. bitsim never starts a real process: a run of the
// program is this function, called in virtual time with the job as the
// program's user sees it. It returns the exit code and how long the
// program runs.
type Program func(run ProgramRun) (exitCode int, runtime time.Duration)

// ProgramRun is what a simulated notification program gets.
type ProgramRun struct {
	Job        *JobRef // the job, as the registering user sees it
	Program    string
	Parameters string
	Run        int64 // 1, 2, 3 … for this job
}

// SetProgram scripts the notification program named program. Programs not
// scripted exit 0 after one second.
func (s *Service) SetProgram(program string, p Program) {
	if s.programs == nil {
		s.programs = map[string]Program{}
	}
	s.programs[program] = p
}

// startCmd launches the notification program for JT (m = mJT) or JE
// (G24–G29). It does not take a notification slot (ambiguity 8).
func (s *Service) startCmd(j *job, m int) {
	x := j.ext()
	x.cmdBusy = true
	x.cmdRun++
	x.cmdSt = m
	x.cmdGen = j.reg.gen
	x.cmdEntry = j.tgen
	j.n.cmdAgain.set(m, false)
	run := x.cmdRun
	s.stats.CmdLineRuns++
	s.rec(trace.Record{Ev: trace.EvCmdlineStart, Job: j.name(), Run: run})
	code, dur := 0, time.Second
	if p, ok := s.programs[x.cmd.program]; ok {
		ref := &JobRef{j: j, c: caller{user: x.cmd.user}}
		code, dur = p(ProgramRun{Job: ref, Program: x.cmd.program, Parameters: x.cmd.params, Run: run})
		if dur < 0 {
			dur = 0
		}
	}
	s.w.After(dur, classState, s.kCmdExit, int64(j.idx), run<<8|int64(uint8(code)))
}

func (s *Service) onCmdExit(a, b int64) {
	j := s.jobPtr(a)
	run, code := b>>8, int64(uint8(b))
	x := j.ext() // there since startCmd
	x.cmdBusy = false
	s.rec(trace.Record{Ev: trace.EvCmdlineExit, Job: j.name(), Run: run, Code: code})
	m := x.cmdSt
	sameEntry := x.cmdEntry == j.tgen // the job is still in the state entry the program ran for
	if code == 0 {
		// Delivered — unless a new registration came meanwhile: that one is
		// owed its own notification (G18, G19). Fix (G27): whether or not
		// it is owed right now. Seeds 696554, 1451969: DISABLE (or the
		// flag cleared) while the program ran made the notification not
		// owed at its exit 0, so it was not marked delivered, and turning
		// the flag back on ran the program again in the same state entry.
		if sameEntry && j.reg.gen == x.cmdGen && (!s.opts.Mutants.Has(mutant.CmdlineOKForgotten) || j.owedM(m)) {
			j.n.done.set(m, true)
		}
		s.evaluate(j)
		return
	}
	// G27: while the program neither completed nor cancelled the job, run
	// it again after the minimum retry delay (BITS 1.5 ran it once).
	if j.state.Final() || !s.opts.Version.AtLeast(2, 0) {
		if !j.state.Final() && sameEntry {
			j.n.done.set(m, true)
		}
		s.evaluate(j)
		return
	}
	d := x.retryDelay
	if s.opts.Mutants.Has(mutant.CmdlineNoDelay) {
		d = time.Second
	}
	x.cmdAt = s.now() + d
	s.pack(trace.Packed{Ev: trace.EvRetry, Job: j.nid(), Method: trace.CmdLine, A: int64(x.cmdAt)})
	s.w.Schedule(x.cmdAt, classTimer, s.kCmdRetry, int64(j.idx), 0)
	if s.opts.AlternateCmdLine && j.reg.cb != nil {
		j.n.viaCmd.set(m, false)
		j.n.retryAt[m] = x.cmdAt
		return
	}
	// G27, G28: the program runs again unless a registration made while it
	// ran has not failed yet (that one goes first, G25). Both channels
	// failed: the program is tried again even while the callback retries.
	if sameEntry && (j.reg.cb == nil || j.n.viaCmd.has(m) || j.n.cbFailed.has(m)) && !s.opts.Mutants.Has(mutant.CmdlineYields) {
		j.n.cmdAgain.set(m, true)
	}
}

func (s *Service) onCmdRetry(job, _ int64) { s.evaluate(s.jobPtr(job)) }

// A COM server that BITS can activate by CLSID (G9).
type server struct {
	clsid   callbackabi.GUID
	name    string
	user    *User
	apt     Apartment
	factory func() callbackabi.Callback
	started int
}

// RegisterServer registers an out-of-process COM server: when a job whose
// notification CLSID is clsid has no live callback object, BITS activates
// it (a new client process name of user u) and calls the object factory
// returns (G9, ambiguity 7).
func (s *Service) RegisterServer(clsid callbackabi.GUID, name string, u *User, apt Apartment, factory func() callbackabi.Callback) {
	s.servers = append(s.servers, server{clsid: clsid, name: name, user: u, apt: apt, factory: factory})
}

func (s *Service) server(clsid callbackabi.GUID) (*server, bool) {
	for i := range s.servers {
		if s.servers[i].clsid == clsid {
			return &s.servers[i], true
		}
	}
	return nil, false
}

// activate is CoCreateInstance(clsid): a server process starts and its new
// object is registered for the job until it disconnects or is replaced.
func (s *Service) activate(j *job) {
	sv, ok := s.server(j.cold().clsid)
	if !ok || sv.user.off {
		// No server, or its user is logged off: no process can start in
		// that session; User.Logon lets the dispatcher try again.
		return
	}
	sv.started++
	s.stats.Activations++
	c := &Client{s: s, base: sv.name, gen: sv.started, user: sv.user, apt: sv.apt, alive: true, name: sv.name}
	if sv.started > 1 {
		c.name = sv.name + "#" + strconv.Itoa(sv.started)
	}
	s.startClient(c)
	cb := sv.factory()
	if cb == nil {
		return
	}
	u := sv.user
	if by := j.cold().clsidBy; by != nil {
		u = by
	}
	s.register(j, cb, c, u)
}

var _ = callbackabi.S_OK
