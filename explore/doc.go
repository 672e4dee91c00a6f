// Package explore searches the space of bitsim worlds for one that breaks
// a rule: it holds the strategies that choose which world to run next, and
// measures nothing itself (bugfind_test.go at the module root compares
// them on planted bugs; docs/TESTING.md has the table).
//
// A world is its choice stream. Every decision a world makes — how many
// jobs, which client crashes when, what a callback returns, which of two
// events at the same instant goes first — is one draw from its
// sim.Chooser, so whoever controls the draws controls the world. The
// strategies differ only in how they make the draws:
//
//   - Sweep: seed after seed, each world drawn afresh by sim.NewPRNG (what
//     `bitsim sweep` does). Cheap and blind; a situation that needs three
//     rare draws at once costs the product of their rarities.
//   - PCT(d): priority change points (pct.go). Between d−1 random points of
//     the stream, same-instant events fire in scheduling order and
//     latencies share one bias; at each point the order flips and the bias
//     changes. Bugs that need a few ordering constraints get a probability
//     bounded from below instead of vanishing with the run's length.
//   - Mutate: feedback-guided mutation (P's "Fest"). Streams whose world
//     showed a timeline pair never seen before (timeline.go: per job, which
//     event followed which; per user, which call followed which at what
//     slot pressure) are kept, and their mutants run: a few draws redrawn,
//     or the tail cut and drawn afresh.
//   - Frontier: branching from a frontier (Antithesis' "sometimes"). When a
//     world first reaches a new timeline pair, the draws up to that record
//     are replayed many times with the rest drawn afresh, so reaching two
//     rare situations in a row costs the sum of their rarities.
//
// Generators aimed at rare interactions are the other lever: they change
// the world, not the draws (scenarios.AimedSwarm, Target Aimed), and any
// strategy searches them.
//
// A Stream records the draws; a failing world found by any strategy but
// Sweep is replayed from Found.Choices with Replay (Sweep's by its seed,
// with `bitsim run NAME --seed`). Strategies are deterministic: the same
// seed makes the same search, on every GOARCH.
package explore
