// Package trace is bitsim's trace format v1: the record of everything that
// happened in a run, as small structs in memory and as JSON Lines on disk.
//
// The trace is the truth (DESIGN.md): checkers, renderers and the CLI read
// records, never the simulator's private state, so they judge a trace
// recorded anywhere. In memory a trace is a []Record; [Encode] writes the
// byte-stable JSON Lines form (fixed key order per event), [Parse] reads it
// back and names the line of any error, and [Hash] fingerprints a trace for
// determinism checks. The simulator records into a [Log].
//
// # Reading a trace
//
// Each line is one event. It starts with seq (1, 2, 3 … with no gaps), t
// (virtual nanoseconds since the world started; it never goes back) and ev,
// the kind of event. The keys after those depend on ev:
//
//	{"seq":14,"t":2000000000,"ev":"call.begin","call":1,"job":"job-1","user":"alice","client":"app-1","method":"JobTransferred","lane":"high","parent":0}
//	{"seq":15,"t":2000000000,"ev":"call.end","call":1,"hr":"0x00000000"}
//
// reads: two seconds into the run, BITS called JobTransferred on app-1's
// callback for job-1, in alice's context, on the high lane and not nested
// in another call (parent 0); it was call 1, it returned S_OK and its slot
// was free again. A call for an STA client whose one thread is busy holds
// its slot before it begins: call.queued (same call id) marks the moment
// it took the slot, so a reader counts slots exactly. Many events share one
// t: virtual time stands still while the model decides, and seq gives their
// order. docs/TRACE.md lists every event, its keys and their meaning; Ev's
// constants say the same in Go.
//
// Identifiers (job, user, client) are strings chosen by the model;
// HRESULTs are "0x%08X" strings ("0x80010108" is RPC_E_DISCONNECTED);
// states, methods, lanes and error contexts are names ("TRANSFERRED",
// "JobError", "high", "REMOTE_FILE"); durations and times are integer
// nanoseconds.
//
// # Byte-stable by construction
//
// The same run must give the same bytes, so nothing about the encoding is
// left to chance: [AppendJSON] writes the keys of each event in the one
// order docs/TRACE.md gives (never in map order), writes only the keys that
// event has, formats numbers with strconv and escapes strings the same way
// every time. Encoding a parsed trace gives back the bytes it was parsed
// from whenever those bytes were written by Encode. A determinism check is
// then a comparison of two 32-byte hashes ([Hash]); a [Hasher], or a Log in
// mode HashOnly, computes the same hash without keeping the records.
//
// # Reading is strict, writing is total
//
// Encode writes any record. Parse and [Reader] accept only well-formed
// traces and fail with a [*ParseError] naming the line: a trace a checker
// cannot read is an error, never a silent pass. For forward compatibility
// they keep events whose ev they do not know (as [EvUnknown] records with
// Name set) and ignore keys they do not know. Limits on line length and
// record count keep hostile input from exhausting memory.
//
// # Recording on a hot path
//
// A Record holds eleven strings and is 328 bytes: cheap to read, costly to
// build a million times a second. So a [Log] also takes records in a packed
// form ([Packed], [Log.AppendPacked]): 48 bytes, no pointers, the job,
// user and client as [Name]s the simulator took once ([Log.NewName] when it
// made the job, [Log.Name] for reasons). The Log expands a packed record
// into the Record it stands for only when someone reads it — Records, Hash,
// an observer, mode HashOnly — so everything downstream sees Records, and
// the bytes on disk are the same whichever way a record was appended. The
// innermost loop passes a packed record's fields as arguments
// ([Log.AppendFields] says why), and only those its kind uses
// ([Log.AppendJob], [Log.AppendCall], [Log.AppendEnd]; a transfer chunk's
// two records in one call, [Log.AppendProgress]).
//
// A harness that runs world after world clears one Log between them
// ([Log.Clear]) and reuses its memory; its observer is handed the Log's own
// Record, reused for the next one, and copies what it keeps.
package trace
