package explore_test

import (
	"fmt"
	"strings"

	"github.com/bitsim/bitsim/explore"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// A search for a world with a situation of one's own: here, a run in which
// one job's JobTransferred is called three times (it returned S_FALSE or
// failed twice and BITS retried, G20). Any verdict works as Fails; the
// usual one is CatalogueRejects.
func ExampleStrategy_Search() {
	target := explore.Adversarial(scheduler.DefaultOptions())
	target.Fails = func(recs []trace.Record, err error) bool {
		calls := map[string]int{}
		for _, r := range recs {
			if r.Ev == trace.EvCallBegin && r.Method == trace.JobTransferred {
				if calls[r.Job]++; calls[r.Job] == 3 {
					return true
				}
			}
		}
		return false
	}
	f := explore.Frontier.Search(target, 1, 10_000)
	fmt.Println("found:", f.Worlds > 0)
	again, _ := explore.Replay(target, f.Choices)
	fmt.Println("the replay shows it too:", target.Fails(again, nil))
	// Output:
	// found: true
	// the replay shows it too: true
}

// A failing world is kept as its choice stream and replayed later, here
// through a choices file (the format `bitsim search --choices` writes).
func ExampleWriteChoices() {
	target := explore.Aimed(scenarios.AimCmdline, scheduler.DefaultOptions())
	s := explore.NewStream(nil, 42)
	recs, _ := target.Run(s, nil)

	var file strings.Builder
	_ = explore.WriteChoices(&file, target.Name, s.Choices())
	name, choices, _ := explore.ReadChoices(strings.NewReader(file.String()))
	again, _ := explore.Replay(target, choices)
	fmt.Println(name, trace.Hash(recs) == trace.Hash(again))
	// Output: aimed-cmdline true
}
