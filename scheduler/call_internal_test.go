package scheduler

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/sim"
)

type nopCallback struct{}

func (nopCallback) JobTransferred(callbackabi.Job) callbackabi.HRESULT { return callbackabi.S_OK }
func (nopCallback) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (nopCallback) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// registeredJob returns a service named name with one MTA client of user
// alice, and a download job of the client's with nopCallback registered.
func registeredJob(t *testing.T, name string) (*Service, *User, *job) {
	t.Helper()
	s := New(sim.NewWorld(sim.NewPRNG(1), sim.Limits{}), nil, name, 1, DefaultOptions())
	u := s.AddUser("alice", false)
	ref, hr := s.StartClient("app", u, MTA).CreateJob("j", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.S_OK, ref.SetNotifyInterface(nopCallback{}))
	return s, u, ref.j
}

// TestReusedCallIsFresh: a call taken from the pool past the quarantine
// is, once takeCall has filled it in, field for field what a new call is.
// takeCall resets a reused call's state but writes its identity over
// (a literal for the whole call costs every delivery a copy), so every
// field of call must be in one of the lists below: a field added to call
// fails the inventory until it is, and one left out of the reset fails
// the comparison.
func TestReusedCallIsFresh(t *testing.T) {
	writtenByTakeCall := []string{"ref", "cb", "u", "id", "m", "regGen", "file", "lane"}
	resetByTakeCall := []string{"parent", "outer", "live", "running", "ended", "begun", "queued", "free"}
	kept := []string{"idx", "x", "runMTA", "runSTA", "catchCall", "catchSTA"} // the pooled call's own
	var fields []string
	for i, ct := 0, reflect.TypeFor[call](); i < ct.NumField(); i++ {
		fields = append(fields, ct.Field(i).Name)
	}
	inventory := slices.Concat(writtenByTakeCall, resetByTakeCall, kept)
	slices.Sort(fields)
	slices.Sort(inventory)
	require.Equal(t, inventory, fields, "every field of call is written or reset by takeCall, or the pooled call's own")

	s, u, j := registeredJob(t, "reuse")

	fresh := s.takeCall(j, mJM, u, 0)
	want := *fresh
	// Fill the pool past the quarantine with calls whose every field is
	// stale, as a finished call's are.
	for range callQuarantine + 1 {
		c := s.allocCall()
		c.ref, c.cb, c.u = JobRef{}, nil, nil
		c.id, c.parent, c.outer, c.m, c.regGen, c.file, c.lane = 99, 7, 5, mJE, 42, 3, 1
		c.live, c.running, c.ended, c.begun, c.queued, c.free = true, true, true, true, true, true
		s.freeCalls.push(c.idx)
	}
	got := s.takeCall(j, mJM, u, 0)
	require.NotSame(t, fresh, got, "the call comes from the pool")

	// What differs by nature: the pooled call's own fields, the call id
	// (one more), and the argument's pointer back to its call.
	want.idx, want.x = got.idx, got.x
	want.id++
	want.ref.c.call = got
	g := *got
	g.runMTA, g.runSTA, want.runMTA, want.runSTA = nil, nil, nil, nil // funcs compare only with nil
	g.catchCall, g.catchSTA, want.catchCall, want.catchSTA = nil, nil, nil, nil
	require.Equal(t, want, g, "a reused call, filled in, is a new call")
}

// TestWantedJMIsValidAtStart: onInvoke's inline test of the commonest call
// (call.wantedJM) passes only calls that validAtStart passes too — over
// every method, notify flag set, registration generation, callback,
// job state, FT queue, profile and mutant set — so the fast path can
// never start a call the full test (G13, G15, G18, G19, G31) would
// abandon. And it does pass the plain JobModification, or it would be
// no fast path.
func TestWantedJMIsValidAtStart(t *testing.T) {
	s, u, j := registeredJob(t, "wanted")
	c := s.takeCall(j, mJM, u, 1)
	cb, gen := j.reg.cb, j.reg.gen

	passed := 0
	for _, profile := range []Profile{ProfileDefault, ProfileWineCompat} {
		for _, mutants := range []mutant.Set{0, ^mutant.Set(0)} {
			s.opts.Profile, s.opts.Mutants = profile, mutants
			for m := 0; m < nM; m++ {
				for flags := callbackabi.NotifyFlags(0); flags < 0x40; flags++ {
					for _, regGen := range []uint32{gen, gen + 1} {
						for _, reg := range []callbackabi.Callback{cb, nil} {
							for state := stQueued; state <= stCancelled; state++ {
								for _, ft := range []bool{false, true} {
									c.m, c.regGen = m, regGen
									j.flags, j.reg.cb, j.state = flags, reg, state
									j.n.ft = ring[int32]{}
									if ft {
										j.n.ft.push(0)
									}
									if c.wantedJM() {
										passed++
										require.Truef(t, s.validAtStart(c), "wantedJM passes a call validAtStart refuses: method %d, flags %v, reg gen %d (job %d), callback %v, state %v, FT owed %v, profile %v, mutants %#x",
											m, flags, regGen, gen, reg != nil, state, ft, profile, uint32(mutants))
									}
								}
							}
						}
					}
				}
			}
		}
	}
	require.NotZero(t, passed, "the fast path never passed a call")
}
