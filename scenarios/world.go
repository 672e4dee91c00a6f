package scenarios

import (
	"time"

	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Env is what a scenario's setup gets: the service and its clock, with
// helpers to do things at virtual times.
type Env struct {
	Svc   *scheduler.Service
	World *sim.World
	Clock sim.Clock
}

// At runs fn at virtual time t (since the start of the run).
func (e *Env) At(t time.Duration, fn func()) {
	e.World.AfterFunc(t-e.World.Now(), fn)
}

// Horizon bounds every scenario in virtual time: a scenario that is not
// idle by then ends with run.end reason "deadline".
const Horizon = 7 * 24 * time.Hour

// Run builds a world with the seed, lets setup populate it, runs it until
// idle (or Horizon) and returns the trace. Scenarios and tests use it.
func Run(name string, seed uint64, opts scheduler.Options, setup func(e *Env)) (Result, error) {
	return RunIn(sim.NewWorld(sim.NewPRNG(seed), sim.Limits{MaxTime: Horizon}), name, seed, opts, setup)
}

// RunIn is Run in a world the caller made (for example one whose choice
// stream is rapid's: rapidsim.New).
func RunIn(w *sim.World, name string, seed uint64, opts scheduler.Options, setup func(e *Env)) (res Result, err error) {
	return RunInLog(w, &trace.Log{}, name, seed, opts, setup)
}

// RunInLog is RunIn writing the trace into log, which it clears first
// (trace.Log.Clear): a harness that runs world after world reuses one Log's
// memory. The Result's Records are log's: they are valid until log is
// cleared again.
func RunInLog(w *sim.World, log *trace.Log, name string, seed uint64, opts scheduler.Options, setup func(e *Env)) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			panic(sim.Unwrap(r)) // a choice-stream panic goes back to rapid as it was
		}
	}()
	log.Clear()
	svc := scheduler.New(w, log, name, seed, opts)
	e := &Env{Svc: svc, World: w, Clock: w.Clock()}
	setup(e)
	err = svc.Run()
	return Result{Records: log.Records(), Stats: svc.Stats()}, err
}
