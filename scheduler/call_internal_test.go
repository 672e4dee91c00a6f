package scheduler

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
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

// TestReusedCallIsFresh: a call taken from the pool past the quarantine
// is, once takeCall has filled it in, field for field what a new call is.
// newCall resets only what takeCall does not write (a literal for the
// whole call costs every delivery a copy), so every field of call must be
// in one of the two lists below: a field added to call fails the
// inventory until it is, and one left out of newCall's reset fails the
// comparison.
func TestReusedCallIsFresh(t *testing.T) {
	writtenByTakeCall := []string{"ref", "cb", "u", "id", "m", "regGen", "file", "lane"}
	resetByNewCall := []string{"parent", "live", "running", "ended", "begun", "queued", "free"}
	kept := []string{"idx", "x", "runMTA", "runSTA"} // the pooled call's own
	var fields []string
	for i, ct := 0, reflect.TypeFor[call](); i < ct.NumField(); i++ {
		fields = append(fields, ct.Field(i).Name)
	}
	inventory := slices.Concat(writtenByTakeCall, resetByNewCall, kept)
	slices.Sort(fields)
	slices.Sort(inventory)
	require.Equal(t, inventory, fields, "every field of call is written by takeCall, reset by newCall or the pooled call's own")

	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	s := New(w, nil, "reuse", 1, DefaultOptions())
	u := s.AddUser("alice", false)
	cl := s.StartClient("app", u, MTA)
	ref, hr := cl.CreateJob("j", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	require.Equal(t, callbackabi.S_OK, hr)
	require.Equal(t, callbackabi.S_OK, ref.SetNotifyInterface(nopCallback{}))
	j := ref.j

	fresh := s.takeCall(j, mJM, u, 0)
	want := *fresh
	// Fill the pool past the quarantine with calls whose every field is
	// stale, as a finished call's are.
	for range callQuarantine + 1 {
		c := s.newCall()
		c.ref, c.cb, c.u = JobRef{}, nil, nil
		c.id, c.parent, c.m, c.regGen, c.file, c.lane = 99, 7, mJE, 42, 3, 1
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
	require.Equal(t, want, g, "a reused call, filled in, is a new call")
}
