package scheduler_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

func TestAppHooksMisuse(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "app", 1, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	sta := svc.StartClient("ui", alice, scheduler.STA)
	mta := svc.StartClient("svc", alice, scheduler.MTA)
	th := w.NewThread("t")
	mta.Adopt(th)
	assert.Same(t, mta, svc.ClientOf(th))
	assert.Same(t, sta, svc.ClientOf(sta.STAThread()))
	assert.Nil(t, svc.ClientOf(nil))
	for _, tc := range []struct {
		do   func()
		want string
	}{
		{func() { mta.HoldSTA() }, "scheduler: HoldSTA(svc): the client is MTA"},
		{func() { mta.PumpSTA() }, "scheduler: PumpSTA(svc): the client is MTA"},
		{func() { mta.OnSTAQueue(nil) }, "scheduler: OnSTAQueue(svc): the client is MTA"},
		{func() { sta.ReleaseSTA() }, "scheduler: ReleaseSTA(ui) without HoldSTA"},
		{func() { sta.PumpSTA() }, "scheduler: PumpSTA(ui) called from no thread, not from the client's STA thread"},
		{func() { sta.Adopt(th) }, `scheduler: Adopt(thread 2 "t"): the thread already belongs to client svc`},
		{func() { sta.Adopt(nil) }, "scheduler: Adopt(nil)"},
		{func() { sta.OnEnd(nil) }, "scheduler: OnEnd(nil)"},
	} {
		assert.Equal(t, tc.want, panicOf(tc.do))
	}
	sta.HoldSTA()
	assert.Equal(t, "scheduler: HoldSTA(ui): the STA thread is busy", panicOf(sta.HoldSTA))
	sta.ReleaseSTA()
}

// otherJob is a callbackabi.Job that is not a *JobRef: JobName finds the
// job by its id.
type otherJob struct {
	callbackabi.Job
	id callbackabi.GUID
}

func (j otherJob) GetId() (callbackabi.GUID, callbackabi.HRESULT) { return j.id, callbackabi.S_OK }

func TestJobNameByID(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "app", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app", svc.AddUser("alice", false), scheduler.MTA)
	app.CreateJob("a", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	b, _ := app.CreateJob("b", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	id, hr := b.GetId()
	require.Equal(t, callbackabi.S_OK, hr)
	assert.Equal(t, "job-2", svc.JobName(otherJob{id: id}))
	assert.Equal(t, "", svc.JobName(otherJob{}))
	var nilRef *scheduler.JobRef
	assert.Equal(t, "", svc.JobName(nilRef))
}
