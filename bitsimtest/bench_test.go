package bitsimtest

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

// benchApp is a careful design-A client (complete or cancel in the
// callback, register again after a restart): its worlds run to their end
// without failing, so the benchmark measures worlds, not shrinking.
type benchApp struct {
	ids      []callbackabi.GUID
	refs     []*scheduler.JobRef
	reported []bool
}

func (a *benchApp) Main(p *proc.Process) {
	finish := func(j callbackabi.Job, o proc.Outcome) {
		id, _ := j.GetId()
		for i := range a.ids {
			if a.ids[i] == id && !a.reported[i] {
				a.reported[i] = true
				p.Report(j, o, "")
			}
		}
	}
	cb := &scenarios.Funcs{
		Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
			if j.Complete().Failed() {
				j.Cancel()
				finish(j, proc.Failed)
			} else {
				finish(j, proc.Succeeded)
			}
			return callbackabi.S_OK
		},
		Error: func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
			j.Cancel()
			finish(j, proc.Failed)
			return callbackabi.S_OK
		},
	}
	if p.Generation() == 1 {
		j, _ := p.Client().CreateJob("bench", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		j.AddFile("https://example/a", `C:\a`)
		j.SetNoProgressTimeout(300)
		j.Resume()
		id, _ := j.GetId()
		a.ids, a.refs, a.reported = append(a.ids, id), append(a.refs, j), append(a.reported, false)
	}
	for i, id := range a.ids {
		if j, hr := p.Client().GetJob(id); hr == callbackabi.S_OK {
			j.SetNotifyInterface(cb)
		} else if !a.reported[i] { // gone, or an administrator took it over
			a.reported[i] = true
			p.Report(p.Client().Job(a.refs[i]), proc.Failed, "no longer ours: "+hr.String())
		}
	}
}

// BenchmarkClientWorld measures how many worlds per second CheckClient
// explores (build, run to the end, check) on a default world with a small
// careful client: the figure that bounds how deep a test searches in its
// time budget. BenchmarkCallbackWorld is the same for CheckCallback.
//
//	go test -run '^$' -bench 'World$' -benchtime 2000x ./bitsimtest/
func BenchmarkClientWorld(b *testing.B) {
	o := ClientOptions{}.withDefaults()
	cov := newCoverage()
	worlds := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rapid.Check(b, func(rt *rapid.T) {
			worlds++
			r := runClientWorld(rt, func(*ClientWorld) App { return &benchApp{} }, o, cov)
			if ps := r.problems(o); len(ps) > 0 {
				rt.Fatalf("%v", ps[0])
			}
		})
	}
	b.ReportMetric(float64(worlds)/b.Elapsed().Seconds(), "worlds/s")
}

func BenchmarkCallbackWorld(b *testing.B) {
	good := func(*scenarios.Env) callbackabi.Callback {
		return &scenarios.Funcs{
			Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
				if j.Complete().Failed() {
					j.Cancel()
				}
				return callbackabi.S_OK
			},
			Error: func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { j.Cancel(); return callbackabi.S_OK },
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		CheckCallback(b, good, HarnessOptions{})
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "worlds/s")
}
