package trace_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/trace"
)

// TestUserLogoffLogonRoundTrip: user.logoff and user.logon carry exactly
// the key user (docs/TRACE.md), a name needing escapes survives the trip,
// and fields the events do not use stay off the disk.
func TestUserLogoffLogonRoundTrip(t *testing.T) {
	var l trace.Log
	at := func(d time.Duration, r trace.Record) { r.T = d; l.Append(r) }
	at(0, trace.Record{Ev: trace.EvRunStart, Seed: 1, Scenario: "logoff", Version: "bitsim/1"})
	at(time.Second, trace.Record{Ev: trace.EvUserLogoff, User: `al"ice\`, Job: "job-1", Reason: "not written"})
	at(2*time.Second, trace.Record{Ev: trace.EvUserLogon, User: `al"ice\`})
	at(2*time.Second, trace.Record{Ev: trace.EvRunEnd, Reason: "idle"})
	enc := encode(t, l.Records())
	require.Contains(t, string(enc), `{"seq":2,"t":1000000000,"ev":"user.logoff","user":"al\"ice\\"}`+"\n")
	require.Contains(t, string(enc), `{"seq":3,"t":2000000000,"ev":"user.logon","user":"al\"ice\\"}`+"\n")
	got, err := trace.Parse(bytes.NewReader(enc))
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, trace.Record{Seq: 2, T: time.Second, Ev: trace.EvUserLogoff, User: `al"ice\`}, got[1])
	require.Equal(t, trace.Record{Seq: 3, T: 2 * time.Second, Ev: trace.EvUserLogon, User: `al"ice\`}, got[2])
	for _, name := range []string{"user.logoff", "user.logon"} {
		ev, ok := trace.ParseEv(name)
		require.True(t, ok, name)
		require.Equal(t, name, ev.String())
	}
}

// Log.Observe sees each accepted record after it is stored, in every mode,
// with its seq; records dropped past the limit and records after
// Observe(nil) are not seen; appends from inside the observer are seen too.
func TestLogObserve(t *testing.T) {
	for _, mode := range []trace.LogMode{trace.KeepRecords, trace.HashOnly, trace.CountOnly} {
		t.Run(mode.String(), func(t *testing.T) {
			var l trace.Log
			l.SetMode(mode)
			l.SetLimit(4)
			var seen []string
			l.Observe(func(r *trace.Record) {
				require.Equal(t, int64(l.Len()), r.Seq, "observed right after the append")
				seen = append(seen, r.Ev.String()+"/"+r.User)
				if r.Ev == trace.EvUserLogoff {
					l.Append(trace.Record{Ev: trace.EvUserLogon, User: "nested"})
					// The nested record was observed in a Record of its own:
					// this one is still the logoff.
					require.Equal(t, "user.logoff/alice", r.Ev.String()+"/"+r.User)
				}
			})
			l.Append(trace.Record{Ev: trace.EvRunStart})
			l.Append(trace.Record{Ev: trace.EvUserLogoff, User: "alice"})
			l.Append(trace.Record{Ev: trace.EvUserLogon, User: "alice"})
			l.Append(trace.Record{Ev: trace.EvRunEnd}) // over the limit: dropped
			require.Equal(t, []string{"run.start/", "user.logoff/alice", "user.logon/nested", "user.logon/alice"}, seen)
			l.Observe(nil)
			l.Reset()
			l.Append(trace.Record{Ev: trace.EvRunStart})
			require.Len(t, seen, 4)
		})
	}
}

// Observing costs no allocation per record: the observer is handed the
// Log's own Record (one per nesting depth), packed or whole.
func TestLogObserveDoesNotAllocate(t *testing.T) {
	var l trace.Log
	n := 0
	l.Observe(func(r *trace.Record) { n += int(r.Seq) })
	job := l.Name("job-1")
	for range 100 {
		l.Append(trace.Record{Ev: trace.EvUserLogon, User: "alice"})
		l.AppendFields(0, trace.EvJobProgress, job, 0, 0, 0, 0, 0, 1, 0)
	}
	l.Reset()
	allocs := testing.AllocsPerRun(50, func() {
		l.Append(trace.Record{Ev: trace.EvUserLogon, User: "alice"})
		l.AppendFields(0, trace.EvJobProgress, job, 0, 0, 0, 0, 0, 1, 0)
	})
	require.Zero(t, allocs)
	require.Positive(t, n)
}
