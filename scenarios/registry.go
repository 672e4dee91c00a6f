// Package scenarios holds bitsim's named, documented scenarios: small worlds
// that each show one family of documented BITS notification rules happening.
package scenarios

import (
	"sort"

	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// Scenario is one named, documented world.
type Scenario struct {
	Name    string   // e.g. "late-registration"
	Summary string   // one line, for `bitsim list`
	Teaches string   // a short paragraph: what to watch for in the trace
	Rules   []string // rule ids it shows, e.g. {"G18", "G19"}
	// Run builds and runs the world with the given seed and returns its trace.
	Run func(seed uint64) (Result, error)
	// InLog, if set, is Run writing the trace into log, which it clears
	// first (trace.Log.Clear): a sweep that runs world after world reuses
	// one log's memory (the generators set it, docs/PERFORMANCE.md). The
	// Result's Records are then log's, valid until log is cleared again.
	// Use RunWith, which falls back on Run.
	InLog func(log *trace.Log, seed uint64) (Result, error)
}

// RunWith runs s's world of seed, writing into log when s has InLog (see
// there: the Records are log's, valid until it is cleared), else with Run.
// The trace is the same either way.
func (s Scenario) RunWith(log *trace.Log, seed uint64) (Result, error) {
	if s.InLog != nil {
		return s.InLog(log, seed)
	}
	return s.Run(seed)
}

// Result is what a scenario run produced.
type Result struct {
	Records []trace.Record
	Stats   scheduler.Stats // situation counters of the run
}

var registry []Scenario

// register adds s; a scenario with InLog only gets a Run that writes into
// a fresh log.
func register(s Scenario) {
	if s.Run == nil && s.InLog != nil {
		in := s.InLog
		s.Run = func(seed uint64) (Result, error) { return in(new(trace.Log), seed) }
	}
	registry = append(registry, s)
}

// All returns every scenario, sorted by name.
func All() []Scenario {
	out := append([]Scenario(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a scenario by name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range registry {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
