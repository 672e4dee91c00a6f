package bitsimtest

import (
	"time"

	"github.com/bitsim/bitsim/scenarios"
)

// Contract exposes the harness's client-contract checks, as CheckCallback
// runs them on one world, to the external tests (harness_test.go), which
// pin their bounds at their edges.
func Contract(res scenarios.Result, o HarnessOptions) []string {
	if o.SlotBudget <= 0 {
		o.SlotBudget = time.Minute
	}
	ps := contract(res, o.SlotBudget, o.Leave)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
