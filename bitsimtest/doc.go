// Package bitsimtest is bitsim's test harness: one call in a go test
// function puts a BITS client under attack in worlds that rapid generates,
// and reports a failure as one screen that replays.
//
//   - CheckClient tests a whole client: its App runs on the threads of a
//     simulated process (package proc: events with timed waits, mutexes,
//     STA pumps, in virtual time), its user acts (cancel, pause, quit),
//     the world crashes it, logs its user off, cuts the network and makes
//     servers fail in every way BITS models; the harness checks the
//     outcomes the application reports, the jobs it leaves behind, the
//     callback contract and every documented guarantee.
//   - CheckCallback tests a callback object alone, in worlds whose jobs the
//     harness creates.
//
// Every problem found belongs to one check (a Kind, with the rule it rests
// on: G5, G20, G31, G35, G41 …). rapid shrinks a failing world keeping
// its kind, saves a fail file, and the report tells the shrunk world as a
// story in virtual time, writes its trace for `bitsim render`, and prints
// the command that replays it. Recorder runs a check without failing the
// test, for tests that a check catches what it should.
//
// A world is simulated in virtual time, which stands still while code
// runs: code under test must wait through package proc (or return). Code
// that blocks on a Go channel or sync.Mutex, sleeps in real time or loops
// forever holds its world up for good; each world runs under a watch
// (ClientOptions.HangAfter, HarnessOptions.HangAfter: 30 s of real time
// by default) that then crashes the test binary with one line naming the
// test, the world and the line that blocked, and how to find the world's
// seed and run that world alone. Nothing else in the harness reads the
// wall clock.
//
// The package is separate from bitsim so that programs importing the
// simulator link neither rapid nor testing.
package bitsimtest
