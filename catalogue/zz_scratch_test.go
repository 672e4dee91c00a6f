//go:build scratch

package catalogue_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

func TestZZScratch(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	seen := map[string]int{}
	var out strings.Builder
	for seed := uint64(0); seed < 2000; seed++ {
		res, err := scenarios.RunAdversarial("adv", seed, scheduler.DefaultOptions())
		if err != nil {
			continue
		}
		for _, v := range catalogue.Check(res.Records) {
			seen[v.Rule]++
			if seen[v.Rule] > 2 {
				continue
			}
			fmt.Fprintf(&out, "=== seed %d: %s\n", seed, v)
			lo, hi := v.Seqs[0]-12, v.Seqs[len(v.Seqs)-1]+2
			for _, r := range res.Records {
				if r.Seq >= lo && r.Seq <= hi || r.Ev == trace.EvRunConfig || r.Ev == trace.EvClientStart && r.Seq < hi {
					fmt.Fprintf(&out, "%s\n", trace.AppendJSON(nil, &r))
				}
			}
		}
	}
	fmt.Fprintln(&out, seen)
	os.WriteFile("/tmp/scratch.txt", []byte(out.String()), 0o644)
}
