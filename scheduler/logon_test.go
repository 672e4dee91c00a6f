package scheduler_test

// Logoff and logon of a job's owner, cell by cell (statetable_test.go
// style). Sources: Microsoft's "Users and Network Connections" page: "BITS
// suspends a job when the owner logs off or if the network connection is
// lost (BITS will not force a network connection). BITS resumes the job
// when the owner logs back on and a network connection is established.";
// and the BG_JOB_STATE page (QUEUED): "If a user logs off while their job
// is transferring, the job transitions to the queued state." States the
// pages say nothing about keep their state (docs/MODEL.md, "Logoff and
// logon").

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// logCell: a job of alice's in state from; alice logs off; the job is in
// state off at once and still after away of virtual time; alice logs on;
// after another 10 minutes the job is in state on.
type logCell struct {
	name string
	from abi.JobState
	prep func(s *stWorld, j *scheduler.JobRef)
	off  abi.JobState
	on   abi.JobState
}

func TestLogoffLogonTable(t *testing.T) {
	const away = time.Hour
	cells := []logCell{
		{name: "suspended-stays", from: sSuspended, off: sSuspended, on: sSuspended},
		{name: "queued-stays-then-runs", from: sQueued, off: sQueued, on: sQueued}, // the HIGH blocker (alice's) keeps it waiting
		{name: "connecting-to-queued", from: sConnecting, off: sQueued, on: sTransferred},
		{name: "transferring-to-queued", from: sTransferring, off: sQueued, on: sTransferred},
		{name: "foreground-transferring-to-queued", from: sTransferring, off: sQueued, on: sTransferred,
			prep: func(s *stWorld, j *scheduler.JobRef) {
				require.Equal(s.t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
			}},
		// The retry (5 min) comes due while alice is away: QUEUED, not
		// transferring, until logon.
		{name: "transient-retry-waits-queued", from: sTransient, off: sTransient, on: sTransferred,
			prep: func(s *stWorld, j *scheduler.JobRef) {
				require.Equal(s.t, abi.S_OK, j.SetMinimumRetryDelay(300))
			}},
		{name: "error-stays", from: sError, off: sError, on: sError},
		{name: "transferred-stays", from: sTransferred, off: sTransferred, on: sTransferred},
		{name: "acknowledged-stays", from: sAcknowledged, off: sAcknowledged, on: sAcknowledged},
		{name: "cancelled-stays", from: sCancelled, off: sCancelled, on: sCancelled},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			var j *scheduler.JobRef
			if c.prep != nil && c.from == sTransient {
				// The retry delay must be set before the failure happens.
				j = s.reachWith(c.from, c.prep)
			} else {
				j = s.reach(c.from, tDownload, nil)
				if c.prep != nil {
					c.prep(s, j)
					s.advance(time.Second)
					s.requireState(j, c.from, "after prep")
				}
			}
			adm := s.adm.Job(j) // root's view: alice's processes end at logoff
			p0, _ := adm.GetProgress()

			s.alice.Logoff()
			require.False(t, s.alice.LoggedOn())
			require.True(t, s.root.LoggedOn())
			st, _ := adm.GetState()
			require.Equal(t, c.off, st, "at logoff\n%s", s.dump(j))
			s.advance(away)
			st, _ = adm.GetState()
			want := c.off
			if c.from == sTransient {
				want = sQueued // the retry came due; it may not start
			}
			require.Equal(t, want, st, "after %v logged off\n%s", away, s.dump(j))
			p1, _ := adm.GetProgress()
			require.Equal(t, p0.BytesTransferred, p1.BytesTransferred, "no byte moves while the owner is logged off")
			for _, r := range s.states(j) {
				if r.T > s.w.Now()-away {
					require.NotEqual(t, sTransferring, r.To, "no job of a logged-off user starts transferring\n%s", s.dump(j))
					require.NotEqual(t, sConnecting, r.To, "no job of a logged-off user starts connecting\n%s", s.dump(j))
				}
			}

			s.alice.Logon()
			require.True(t, s.alice.LoggedOn())
			s.advance(10 * time.Minute)
			st, _ = adm.GetState()
			require.Equal(t, c.on, st, "10 min after logon\n%s", s.dump(j))
		})
	}
}

// reachWith drives a download job to from, applying prep to the new job
// before it is resumed.
func (s *stWorld) reachWith(from abi.JobState, prep func(s *stWorld, j *scheduler.JobRef)) *scheduler.JobRef {
	s.t.Helper()
	require.Equal(s.t, sTransient, from, "reachWith only knows TRANSIENT_ERROR")
	f := s.file(100 * stMB)
	f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
	j := s.newJob(tDownload, f)
	prep(s, j)
	require.Equal(s.t, abi.S_OK, j.Resume())
	s.advance(3 * time.Second)
	s.requireState(j, sTransient, "fixture")
	return j
}

// blockCB blocks in JobTransferred until the test releases it.
type blockCB struct {
	okCB
	clock interface{ Sleep(time.Duration) }
}

func (c *blockCB) JobTransferred(abi.Job) hresult { c.clock.Sleep(time.Hour); return abi.S_OK }

// Logoff ends the user's processes (client.exit, reason "logoff"); a call in
// flight to one of them ends disconnected, as for a crash (G23). Another
// user's process and jobs are untouched.
func TestLogoffEndsProcesses(t *testing.T) {
	s := newSTWorld(t)
	j := s.newJob(tDownload, s.file(1*stMB))
	cb := &blockCB{clock: s.svc.Clock()}
	require.Equal(t, abi.S_OK, j.SetNotifyInterface(cb))
	require.Equal(t, abi.S_OK, j.Resume())
	other, res := s.adm.CreateJob("root's", tDownload)
	require.Equal(t, abi.S_OK, res)
	require.Equal(t, abi.S_OK, other.AddFileSpec(s.file(100*stMB)))
	require.Equal(t, abi.S_OK, other.Resume())
	s.advance(2 * time.Second) // job-1 TRANSFERRED, its JT blocked in the callback
	require.Equal(t, 1, s.calls(j, trace.JobTransferred))
	require.Equal(t, 1, s.alice.Busy())

	s.alice.Logoff()
	require.False(t, s.app.Alive())
	require.True(t, s.adm.Alive())
	require.Equal(t, 0, s.alice.Busy(), "the call in flight ended")
	var exit, end, logoff trace.Record
	for _, r := range s.log.Records() {
		switch {
		case r.Ev == trace.EvUserLogoff:
			logoff = r
		case r.Ev == trace.EvClientExit && r.Client == "app-1":
			exit = r
		case r.Ev == trace.EvCallEnd && logoff.Seq > 0:
			end = r
		}
	}
	require.Equal(t, "alice", logoff.User)
	require.Equal(t, "logoff", exit.Reason)
	require.Greater(t, exit.Seq, logoff.Seq, "user.logoff comes first")
	require.Equal(t, trace.OutcomeDisconnected, end.Outcome, "the call in flight ends disconnected")
	st, _ := s.adm.Job(other).GetState()
	require.Equal(t, sTransferring, st, "root's job keeps transferring")

	require.PanicsWithValue(t, "scheduler: StartClient/Restart of app-2 for user alice, who is logged off (Logon first)", func() {
		s.svc.StartClient("app-2", s.alice, scheduler.MTA)
	})
	s.alice.Logoff() // again: nothing
	n := s.log.Len()
	s.alice.Logoff()
	require.Equal(t, n, s.log.Len(), "a second Logoff writes nothing")
	s.alice.Logon()
	s.alice.Logon()
	require.Equal(t, n+1, s.log.Len(), "one user.logon")
	require.Equal(t, trace.EvUserLogon, s.log.Records()[n].Ev)
	require.True(t, s.svc.StartClient("app-2", s.alice, scheduler.MTA).Alive())
}

// A job resumed (by an administrator) while its owner is logged off goes to
// QUEUED and waits there for logon.
func TestLogoffResumeWaitsForLogon(t *testing.T) {
	s := newSTWorld(t)
	j := s.newJob(tDownload, s.file(1*stMB))
	s.alice.Logoff()
	adm := s.adm.Job(j)
	require.Equal(t, abi.S_OK, adm.Resume())
	s.advance(time.Hour)
	st, _ := adm.GetState()
	require.Equal(t, sQueued, st)
	s.alice.Logon()
	s.advance(time.Minute)
	st, _ = adm.GetState()
	require.Equal(t, sTransferred, st)
}

// A logoff during a callback — from the callback itself, on its own
// thread, or from an observer at the call's call.begin — ends the call
// disconnected, once, for MTA and STA clients; the run goes on and the
// trace honours the catalogue's call pairing (one call.end per call.begin).
func TestLogoffDuringCallback(t *testing.T) {
	for _, apt := range []scheduler.Apartment{scheduler.MTA, scheduler.STA} {
		for _, how := range []string{"from-callback", "from-observer"} {
			t.Run(apt.String()+"/"+how, func(t *testing.T) {
				w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
				t.Cleanup(w.Close)
				log := &trace.Log{}
				svc := scheduler.New(w, log, t.Name(), 1, scheduler.DefaultOptions())
				alice := svc.AddUser("alice", false)
				app := svc.StartClient("app-1", alice, apt)
				j, _ := app.CreateJob("x", tDownload)
				require.Equal(t, abi.S_OK, j.AddFile("http://srv/a", `C:\a`))
				cb := &logoffCB{}
				if how == "from-callback" {
					cb.act = alice.Logoff
				} else {
					svc.Observe(func(r *trace.Record) {
						if r.Ev == trace.EvCallBegin {
							alice.Logoff()
						}
					})
				}
				require.Equal(t, abi.S_OK, j.SetNotifyInterface(cb))
				require.Equal(t, abi.S_OK, j.Resume())
				require.NoError(t, w.RunUntil(time.Hour))
				begins, ends := 0, 0
				var end trace.Record
				for _, r := range log.Records() {
					switch r.Ev {
					case trace.EvCallBegin:
						begins++
					case trace.EvCallEnd:
						ends++
						end = r
					}
				}
				require.Equal(t, 1, begins)
				require.Equal(t, 1, ends)
				require.Equal(t, trace.OutcomeDisconnected, end.Outcome)
				require.False(t, app.Alive())
				require.Equal(t, 0, alice.Busy())
				alice.Logon()
				again := svc.StartClient("app-2", alice, apt)
				st, res := again.Job(j).GetState()
				require.Equal(t, abi.S_OK, res)
				require.Equal(t, sTransferred, st, "the job itself is untouched by the logoff")
			})
		}
	}
}

// logoffCB runs act (if any) inside JobTransferred.
type logoffCB struct {
	okCB
	act func()
}

func (c *logoffCB) JobTransferred(abi.Job) hresult {
	if c.act != nil {
		c.act()
	}
	return abi.S_OK
}

// A JobTransferred owed to a job whose callback process died with the
// logoff, and whose notification CLSID names a COM server of the same user
// (G9): no server process can start while the user is logged off, so none
// starts (no panic, no activation); at logon the server is activated and
// gets the JobTransferred.
func TestLogoffCLSIDActivationWaitsForLogon(t *testing.T) {
	s := newSTWorld(t)
	clsid := abi.GUID{Data1: 0x10650FF}
	s.svc.RegisterServer(clsid, "notify-server", s.alice, scheduler.MTA, func() abi.Callback {
		return &logoffCB{act: func() {}}
	})
	j := s.newJob(tDownload, s.file(1*stMB))
	require.Equal(t, abi.S_OK, j.SetNotifyCLSID(clsid))
	require.Equal(t, abi.S_OK, j.SetNotifyInterface(&blockCB{clock: s.svc.Clock()}))
	require.Equal(t, abi.S_OK, j.Resume())
	s.advance(2 * time.Second)
	require.Equal(t, 1, s.calls(j, trace.JobTransferred), "the JT is in flight, blocked")

	s.alice.Logoff()
	s.advance(time.Hour)
	require.Equal(t, int64(0), s.svc.Stats().Activations, "no process starts for a logged-off user")
	require.Equal(t, 1, s.calls(j, trace.JobTransferred))

	s.alice.Logon()
	s.advance(time.Minute)
	require.Equal(t, int64(1), s.svc.Stats().Activations)
	var last trace.Record
	for _, r := range s.log.Records() {
		if r.Ev == trace.EvCallBegin && r.Job == j.Name() {
			last = r
		}
	}
	require.Equal(t, 2, s.calls(j, trace.JobTransferred))
	require.Equal(t, "notify-server", last.Client)
}

// A job held QUEUED while its owner is logged off transfers once an
// administrator takes it over: its owner is then logged on (G10; found by
// bitsimtest's CheckCallback: a logoff and a takeover at the same instant
// left the job QUEUED for good).
func TestTakeoverOfALoggedOffUsersJob(t *testing.T) {
	for _, fg := range []bool{false, true} {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.file(1*stMB))
		if fg {
			require.Equal(t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
		}
		require.Equal(t, abi.S_OK, j.Resume())
		s.alice.Logoff()
		adm := s.adm.Job(j)
		require.Equal(t, abi.S_OK, adm.TakeOwnership())
		s.advance(time.Minute)
		st, _ := adm.GetState()
		require.Equal(t, sTransferred, st, "foreground %v", fg)
	}
}
