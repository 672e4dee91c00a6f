//go:build scratch

package catalogue_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

func TestZZProp(t *testing.T) {
	rules := strings.Split(os.Getenv("RULES"), ",")
	rapid.Check(t, func(t *rapid.T) {
		w := sim.NewWorld(sim.NewRapid(t), sim.Limits{MaxTime: 6 * time.Hour, MaxEvents: 2_000_000})
		sw := scenarios.DrawSwarm(w.Chooser())
		sw.CmdLine += 4
		sw.ReturnFail += 3
		opts := scheduler.DefaultOptions()
		opts.StrictSOK = os.Getenv("LENIENT") == ""
		res, err := scenarios.RunIn(w, "property", 0, opts, scenarios.Adversarial(sw))
		if err != nil {
			t.Fatalf("err %v", err)
		}
		if v := catalogue.CheckRules(res.Records, rules...); len(v) > 0 {
			var b strings.Builder
			for _, r := range res.Records {
				b.Write(trace.AppendJSON(nil, &r))
			}
			os.WriteFile("/tmp/prop.txt", []byte(b.String()), 0o644)
			t.Fatalf("%v", v)
		}
	})
	fmt.Println()
}
