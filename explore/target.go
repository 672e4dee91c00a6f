package explore

import (
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Adversarial is the adversarial world of `bitsim sweep adversarial`
// (scenarios.Adversarial with a drawn swarm) under the dispatcher options
// opts; a world fails when the catalogue rejects its trace or it cannot
// run to its end.
func Adversarial(opts scheduler.Options) Target {
	return swarmTarget("adversarial", opts, scenarios.DrawSwarm)
}

// Faults is the fault world of `bitsim sweep faults`: the adversarial
// world with every fault the service models.
func Faults(opts scheduler.Options) Target {
	return swarmTarget("faults", opts, func(c sim.Chooser) scenarios.Swarm {
		sw := scenarios.DrawSwarm(c)
		sw.Faults = true
		return sw
	})
}

// Aimed is the world of a generator aimed at rare interactions
// (scenarios.AimedSwarm; `bitsim sweep aimed-cmdline`, `aimed-slots`).
func Aimed(a scenarios.Aim, opts scheduler.Options) Target {
	return swarmTarget("aimed-"+a.String(), opts, func(c sim.Chooser) scenarios.Swarm { return scenarios.AimedSwarm(c, a) })
}

func swarmTarget(name string, opts scheduler.Options, draw func(sim.Chooser) scenarios.Swarm) Target {
	log := new(trace.Log) // every world of the Target, one after another: its memory is reused
	return Target{
		Name: name,
		Run: func(c sim.Chooser, observe func(*trace.Record)) ([]trace.Record, error) {
			res, err := scenarios.RunSwarm(log, c, name, opts, draw, observe)
			return res.Records, err
		},
		Fails: CatalogueRejects,
	}
}

// CatalogueRejects is the usual verdict: the world could not run to its
// end, or the catalogue finds a violation in its trace.
func CatalogueRejects(recs []trace.Record, err error) bool {
	return err != nil || len(catalogue.Check(recs)) > 0
}

// TargetNames are the worlds TargetNamed knows, in the order `bitsim
// search` lists them.
var TargetNames = []string{"adversarial", "faults", "aimed-cmdline", "aimed-slots"}

// TargetNamed returns the target of one of TargetNames.
func TargetNamed(name string, opts scheduler.Options) (Target, bool) {
	switch name {
	case "adversarial":
		return Adversarial(opts), true
	case "faults":
		return Faults(opts), true
	}
	for _, a := range scenarios.Aims {
		if name == "aimed-"+a.String() {
			return Aimed(a, opts), true
		}
	}
	return Target{}, false
}
