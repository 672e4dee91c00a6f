package examples_test

// This file is the README's "Test your client" section, as written there.

import (
	"testing"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

type updater struct{ jobs []*scheduler.JobRef } // what survives a restart: the app's disk

func (a *updater) Main(p *proc.Process) { // runs at every start of the process
	cb := &scenarios.Funcs{ // any IBackgroundCopyCallback
		Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
			if hr := j.Complete(); hr.Failed() { // a rename can fail (G41)
				j.Cancel()
				p.Report(j, proc.Failed, "Complete: "+hr.String())
			} else {
				p.Report(j, proc.Succeeded, "")
			}
			return callbackabi.S_OK
		},
		Error: func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
			j.Cancel()
			p.Report(j, proc.Failed, "")
			return callbackabi.S_OK
		},
	}
	if p.Generation() == 1 {
		j, _ := p.Client().CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		j.AddFile("https://updates.example/a.cab", `C:\app\a.cab`)
		j.SetNoProgressTimeout(600) // a server that never recovers: ERROR after 10 min
		j.Resume()
		a.jobs = append(a.jobs, j)
	}
	for _, j := range a.jobs {
		p.Client().Job(j).SetNotifyInterface(cb) // register again after a restart (G7)
	}
}

func TestUpdater(t *testing.T) {
	bitsimtest.CheckClient(t, func(*bitsimtest.ClientWorld) bitsimtest.App { return &updater{} }, bitsimtest.ClientOptions{})
}
