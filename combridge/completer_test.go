package combridge_test

import (
	"sync"

	"github.com/bitsim/bitsim/callbackabi"
)

// completer is a BITS callback written once, against callbackabi only: on
// JobTransferred it completes the job (the seed's JobTransferred), on
// JobError it cancels it, and it answers S_OK to everything (G5). The same
// type runs in the simulator under the harness (TestCompleterPassesTheHarness)
// and, registered through the bridge, under a real BITS service
// (TestRealBITS, on Windows or under Wine).
type completer struct {
	mu       sync.Mutex
	seen     []transfer
	done     chan struct{} // closed at the first JobTransferred
	doneOnce sync.Once
}

// transfer is what completer saw in one JobTransferred call.
type transfer struct {
	id         callbackabi.GUID
	name       string
	state      callbackabi.JobState
	progress   callbackabi.JobProgress
	completeHR callbackabi.HRESULT
}

func newCompleter() *completer { return &completer{done: make(chan struct{})} }

func (c *completer) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	var t transfer
	t.id, _ = job.GetId()
	t.name, _ = job.GetDisplayName()
	t.state, _ = job.GetState()
	t.progress, _ = job.GetProgress()
	t.completeHR = job.Complete()
	if t.completeHR.Failed() {
		job.Cancel() // a rename that fails (G41): do not leave the job TRANSFERRED
	}
	c.mu.Lock()
	c.seen = append(c.seen, t)
	c.mu.Unlock()
	c.doneOnce.Do(func() { close(c.done) })
	return callbackabi.S_OK
}

func (c *completer) JobError(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
	job.Cancel()
	return callbackabi.S_OK
}

func (c *completer) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// transfers returns what the callback has seen so far.
func (c *completer) transfers() []transfer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]transfer(nil), c.seen...)
}
