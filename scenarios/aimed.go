package scenarios

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Aim names a generator aimed at one family of rare interactions (issue
// 11, item 3). The default swarm spreads a world's events over minutes
// and mixes everything, so interactions that need three or four things
// to meet at one instant are one world in hundreds of thousands; an aimed
// swarm keeps only what the family needs, at full weight, and squeezes
// the instants together (Swarm.Window).
type Aim int

const (
	// AimCmdline: the command line, the callback, re-registration,
	// retries and client restarts around the same instant (G18, G20,
	// G26–G28): one user, few jobs, every job with a command line,
	// callbacks that fail or return S_FALSE often (and hang: a hung call
	// holds an STA thread, mostly STA clients here), late registrations,
	// crashes with restarts, DISABLE and flag changes, takeovers, all
	// within a 30-second window.
	AimCmdline Aim = iota + 1
	// AimSlots: slot pressure with every lane busy (G14, G22, G31, G32,
	// G34): one user, many jobs asking for every method
	// (FileRangesTransferred too: the world has on-demand jobs and every
	// fault, Swarm.Faults), callbacks that sleep, STA clients.
	AimSlots
)

// Aims lists every aim, in order.
var Aims = []Aim{AimCmdline, AimSlots}

func (a Aim) String() string {
	switch a {
	case AimCmdline:
		return "cmdline"
	case AimSlots:
		return "slots"
	}
	return fmt.Sprintf("Aim(%d)", int(a))
}

// ParseAim returns the aim named name ("cmdline", "slots").
func ParseAim(name string) (Aim, error) {
	for _, a := range Aims {
		if a.String() == name {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown aim %q (want cmdline or slots)", name)
}

// AimedSwarm draws a swarm aimed at a. Its worlds are adversarial worlds
// (Adversarial) like any other: the same checks apply, only the mix
// differs.
func AimedSwarm(c sim.Chooser, a Aim) Swarm {
	w := func(n int) int { return c.Intn(n + 1) }
	switch a {
	case AimCmdline:
		return Swarm{
			Users: 1, Clients: 1 + c.Intn(2), Jobs: 1 + c.Intn(3),
			STA: 1 + w(3), Late: 2 + w(2), CmdLine: 4, Disable: w(4), Modification: w(1), FileTransferred: w(1),
			Crash: 1 + w(3), Failures: 2 + w(2), Network: w(2), Takeover: w(3),
			ReturnOK: 1 + w(3), ReturnSFalse: 1 + w(3), ReturnFail: 1 + w(3), Sleep: w(3), CallJob: w(3), Hang: w(2), ReturnOdd: w(1),
			Window: 30 * time.Second, FlagChanges: w(3), Reregistrations: w(3), Suspend: w(2),
		}
	case AimSlots:
		return Swarm{
			Users: 1, Clients: 1 + c.Intn(3), Jobs: 4 + c.Intn(8), MinJobs: 4,
			STA: w(4), Late: w(2), CmdLine: w(1), Modification: 2 + w(2), FileTransferred: 2 + w(2),
			Crash: w(1), Failures: w(4), Network: w(1),
			ReturnOK: 2 + w(4), ReturnSFalse: w(2), ReturnFail: w(2), Sleep: 2 + w(4), LongSleep: w(1), CallJob: w(2), ReturnOdd: w(1),
			Suspend: w(2), Faults: true, Window: 20 * time.Second,
		}
	}
	panic(fmt.Sprintf("scenarios: AimedSwarm(%v): unknown aim", a))
}

// RunAimed runs one world of the swarm aimed at a, drawn from seed.
func RunAimed(a Aim, seed uint64, opts scheduler.Options) (Result, error) {
	return runAimed(new(trace.Log), a, seed, opts)
}

func runAimed(log *trace.Log, a Aim, seed uint64, opts scheduler.Options) (Result, error) {
	return runSwarm(log, "aimed-"+a.String(), seed, opts, func(c sim.Chooser) Swarm { return AimedSwarm(c, a) })
}

func init() {
	register(Scenario{
		Name:    "aimed-cmdline",
		Summary: "adversarial worlds aimed at the command line meeting callbacks, re-registrations, retries and restarts",
		Teaches: "The command line, the callback, re-registration, retries, flag changes and client restarts " +
			"squeezed into 30 seconds, so that interactions one default world in a million shows happen one " +
			"world in thousands. `bitsim sweep aimed-cmdline --seeds 0:100000` checks every guarantee on each.",
		Rules: []string{"G18", "G20", "G26", "G27", "G28"},
		InLog: func(log *trace.Log, seed uint64) (Result, error) {
			return runAimed(log, AimCmdline, seed, scheduler.DefaultOptions())
		},
	})
	register(Scenario{
		Name:    "aimed-slots",
		Summary: "adversarial worlds aimed at slot pressure with every lane busy",
		Teaches: "One user with many jobs asking for every method (FileRangesTransferred too) and callbacks " +
			"that sleep: the four slots stay full while calls wait in both lanes and JobModification coalesces. " +
			"`bitsim sweep aimed-slots --seeds 0:100000` checks every guarantee on each.",
		Rules: []string{"G14", "G22", "G31", "G32", "G34"},
		InLog: func(log *trace.Log, seed uint64) (Result, error) {
			return runAimed(log, AimSlots, seed, scheduler.DefaultOptions())
		},
	})
}
