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
// The package is separate from bitsim so that programs importing the
// simulator link neither rapid nor testing.
package bitsimtest
