package bitsim_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

// FuzzAdversarialWorld drives the adversarial world generator from Go's
// coverage-guided fuzzer (issue 11): rapid.MakeFuzz turns the fuzzer's
// bytes into the world's choice stream (rapidsim.New), so coverage feedback
// steers workload, schedule and faults together, where a seed sweep draws
// them blindly. Every guarantee of the catalogue is checked on each
// world's trace. CI's fuzz step picks the target up by its name; a crasher
// lands in testdata/fuzz/FuzzAdversarialWorld/ and replays as a test.
func FuzzAdversarialWorld(f *testing.F) {
	rng := rand.New(rand.NewPCG(11, 2026)) // fixed: the seed corpus is the same on every run
	for _, n := range []int{4096, 16384, 65536} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		// A world that draws past the end of the fuzzer's bytes is not a
		// failure: rapid skips it once it sees its own panic, which the
		// choice stream wraps (sim.Unwrap).
		defer func() {
			if p := recover(); p != nil {
				panic(sim.Unwrap(p))
			}
		}()
		opts := scheduler.DefaultOptions()
		opts.Mutants = mutant.Set(*bugfindMutant) // the bug-finding benchmark plants one; 0 otherwise
		r := runWorld(t, opts, nil)
		if vs := catalogue.Check(r.recs); len(vs) > 0 {
			var b strings.Builder
			for _, v := range vs[:min(len(vs), 5)] {
				b.WriteString(v.String() + "\n")
			}
			t.Fatalf("%d violation(s):\n%s", len(vs), b.String())
		}
	}))
}
