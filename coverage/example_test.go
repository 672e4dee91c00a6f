package coverage_test

import (
	"fmt"

	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/scenarios"
)

// Tally what the first worlds of a generator reached, and ask what none
// reached: a checker cannot have failed on those. (t.Report(os.Stdout)
// prints the whole table and a "never reached: …" line.)
func ExampleTally() {
	t := coverage.New()
	s, _ := scenarios.Lookup("adversarial")
	for seed := range uint64(200) {
		res, _ := s.Run(seed)
		t.AddTrace(res.Records)
	}
	fmt.Println(t.Worlds, "worlds; JobTransferred called in some:", t.Count(coverage.Item{Group: "method", Name: "JobTransferred"}) > 0)
	for _, it := range t.Missing(coverage.Expected()) {
		if it.Group == "method" {
			fmt.Println("never called:", it.Name)
		}
	}
	// Output:
	// 200 worlds; JobTransferred called in some: true
	// never called: FileRangesTransferred
}
