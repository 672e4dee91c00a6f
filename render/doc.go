// Package render draws a bitsim trace for people: as an annotated timeline
// for a terminal ([Text]), as Trace Event Format JSON for Perfetto and
// chrome://tracing ([Chrome]), and as one self-contained HTML page with an
// SVG timeline ([HTML]).
//
// All three read nothing but a []trace.Record, so they draw a trace made by
// this simulator, parsed from a file with trace.Parse, or written by
// another tool. They share one reading of the trace:
//
//   - Every call (call.begin … call.end) holds one of its user's slots
//     (G31). A call is drawn in the lowest slot index of its user that is
//     free when it begins, so a user with the documented cap of four uses
//     slots 0–3 and a freed slot is reused at once.
//   - Every call also runs on a thread of its client. A call nested in
//     another (parent ≠ 0, the STA re-entrancy of G34) runs on its parent's
//     thread, one level deeper; any other call takes the client's lowest
//     free thread. An STA client therefore shows one thread with nested
//     calls stacked on it.
//   - Each event gets a note: the documented rule ids behind the decision
//     it shows ("slot freed: high lane first (G32)", "retry after non-S_OK
//     (G20)", "client gone: disconnected (G7, G23)" …). The notes are
//     inferred from the trace alone, the way a reader of the trace would.
//
// Every string in a trace may be hostile (a job called "</svg><script>"):
// Text replaces control characters, Chrome writes strings through
// encoding/json (which escapes <, > and &), and HTML goes through
// html/template, which escapes each value for the context it lands in.
// A renderer never panics on a trace that trace.Parse accepted, nor on
// odd in-memory records (unknown calls, calls that never end, time going
// backwards); it draws what it can.
package render
