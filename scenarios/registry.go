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
}

// Result is what a scenario run produced.
type Result struct {
	Records []trace.Record
	Stats   scheduler.Stats // situation counters of the run
}

var registry []Scenario

func register(s Scenario) { registry = append(registry, s) }

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
