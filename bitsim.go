// Package bitsim is a deterministic simulator of how Windows BITS delivers
// job notifications to IBackgroundCopyCallback objects.
//
// A virtual clock and a priority scheduler model BITS dispatch as
// documented (rules G1–G50 of docs and bits-semantics.md): at most four
// notifications in flight per user, JobModification on a low-priority lane
// while JobTransferred and JobError go first, at-least-once delivery even
// to a client that registers after the event, retry until S_OK, the
// command-line fallback, STA re-entrancy and client crashes. Same seed,
// same trace, byte for byte.
//
// This package is the small facade; the parts are:
//
//   - callbackabi: the COM contract (HRESULT, BG_* constants, GUIDs, the Go
//     shapes of IBackgroundCopyCallback and IBackgroundCopyJob);
//   - sim: the deterministic kernel (virtual time, event queue, virtual
//     threads, the choice stream);
//   - scheduler: the BITS service model and the notification dispatcher;
//   - trace: trace format v1 (JSON Lines) — the truth every checker reads;
//   - catalogue: the documented guarantees as trace checkers;
//   - scenarios: named scenarios and the adversarial world generator;
//   - render: terminal, Chrome trace and HTML timelines.
package bitsim

import (
	"time"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// World is a simulated machine running the BITS service: build it with
// NewWorld, populate it through Service (users, clients, jobs), Run it,
// and read or Check its trace.
type World struct {
	Sim     *sim.World
	Service *scheduler.Service
	Log     *trace.Log
}

// Config configures NewWorld. The zero value is a documented-default world
// with seed 0.
type Config struct {
	Seed     uint64
	Scenario string             // the name written into run.start
	Options  *scheduler.Options // nil: scheduler.DefaultOptions()
	Chooser  sim.Chooser        // nil: sim.NewPRNG(Seed); rapidsim.New(t) under rapid
	Horizon  time.Duration      // virtual-time budget; 0: 7 days
}

// NewWorld makes a world.
func NewWorld(cfg Config) *World {
	opts := scheduler.DefaultOptions()
	if cfg.Options != nil {
		opts = *cfg.Options
	}
	ch := cfg.Chooser
	if ch == nil {
		ch = sim.NewPRNG(cfg.Seed)
	}
	h := cfg.Horizon
	if h <= 0 {
		h = 7 * 24 * time.Hour
	}
	w := sim.NewWorld(ch, sim.Limits{MaxTime: h})
	log := &trace.Log{}
	return &World{Sim: w, Service: scheduler.New(w, log, cfg.Scenario, cfg.Seed, opts), Log: log}
}

// Run runs the world to the end and returns its trace.
func (w *World) Run() ([]trace.Record, error) {
	err := w.Service.Run()
	return w.Log.Records(), err
}

// Check judges a trace against every guarantee of the catalogue.
func Check(recs []trace.Record) []catalogue.Violation { return catalogue.Check(recs) }
