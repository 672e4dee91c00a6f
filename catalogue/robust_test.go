package catalogue_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// anyRecord draws a record of any kind with fields from small pools, so
// that the records of one trace refer to each other — and often make no
// sense together.
func anyRecord(t *rapid.T, label string) trace.Record {
	pick := func(name string, xs ...string) string { return rapid.SampledFrom(xs).Draw(t, label+name) }
	return trace.Record{
		Seq:       rapid.Int64Range(0, 40).Draw(t, label+"seq"),
		T:         time.Duration(rapid.Int64Range(0, 5).Draw(t, label+"t")) * 300 * time.Millisecond,
		Ev:        trace.Ev(rapid.IntRange(0, 27).Draw(t, label+"ev")),
		Job:       pick("job", "", "j1", "j2"),
		User:      pick("user", "", "alice", "bob"),
		Client:    pick("client", "", "c1", "c2"),
		Apartment: pick("apt", "", "STA", "MTA"),
		From:      callbackabi.JobState(rapid.IntRange(0, 9).Draw(t, label+"from")),
		To:        callbackabi.JobState(rapid.IntRange(0, 9).Draw(t, label+"to")),
		Flags:     callbackabi.NotifyFlags(rapid.IntRange(0, 0x7F).Draw(t, label+"flags")),
		Call:      rapid.Int64Range(-1, 4).Draw(t, label+"call"),
		Parent:    rapid.Int64Range(0, 4).Draw(t, label+"parent"),
		Method:    trace.Method(rapid.IntRange(0, 7).Draw(t, label+"method")),
		Lane:      trace.Lane(rapid.IntRange(0, 3).Draw(t, label+"lane")),
		HR:        rapid.SampledFrom([]callbackabi.HRESULT{sOK, sFalse, eFail, callbackabi.RPC_E_SERVERFAULT}).Draw(t, label+"hr"),
		Outcome:   pick("outcome", "", "", "disconnected", "panic", "odd"),
		Reason:    pick("reason", "", "idle", "deadline", "state", "disconnected", "client", "final", "limit: events"),
		Run:       rapid.Int64Range(0, 3).Draw(t, label+"run"),
		Code:      rapid.Int64Range(0, 2).Draw(t, label+"code"),
		Cap:       rapid.Int64Range(-1, 3).Draw(t, label+"cap"),
		Interval:  time.Duration(rapid.Int64Range(0, 2).Draw(t, label+"interval")) * 500 * time.Millisecond,
		Strict:    rapid.Bool().Draw(t, label+"strict"),
		Bits:      pick("bits", "", "1.0", "1.5", "2.0", "3.0", "10.1", "x"),
		Delay:     time.Duration(rapid.Int64Range(0, 3).Draw(t, label+"delay")) * time.Second,
	}
}

// anyTrace draws a trace whose seqs are usually 1, 2, 3 … (so the G rules
// get past T1's complaints) but not always.
func anyTrace(t *rapid.T) []trace.Record {
	n := rapid.IntRange(0, 60).Draw(t, "n")
	ordered := rapid.Bool().Draw(t, "ordered")
	recs := make([]trace.Record, n)
	for i := range recs {
		recs[i] = anyRecord(t, fmt.Sprint(i))
		if ordered {
			recs[i].Seq = int64(i + 1)
			if i > 0 && recs[i].T < recs[i-1].T {
				recs[i].T = recs[i-1].T
			}
		}
	}
	return recs
}

// On any trace at all, the catalogue does not panic, is deterministic,
// sorts its answer, agrees rule by rule with the single-pass Check, and
// names only seqs that exist.
func TestAnyTrace(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := anyTrace(t)
		vs := catalogue.Check(recs)
		require.Equal(t, vs, catalogue.Check(recs), "not deterministic")

		var union []catalogue.Violation
		for _, r := range catalogue.All() {
			one := r.Check(recs)
			for _, v := range one {
				require.Equal(t, r.ID, v.Rule)
			}
			union = append(union, one...)
		}
		require.ElementsMatch(t, vs, union, "Check and the rules' own Check disagree")
		require.True(t, slices.IsSortedFunc(vs, func(a, b catalogue.Violation) int {
			return cmpFirst(a) - cmpFirst(b)
		}), "not sorted by first seq: %v", vs)

		exists := map[int64]bool{}
		for _, r := range recs {
			exists[r.Seq] = true
		}
		for _, v := range vs {
			require.NotEmpty(t, v.Msg)
			require.True(t, slices.IsSorted(v.Seqs), "%v", v)
			for _, s := range v.Seqs {
				require.True(t, exists[s], "%v names seq %d, which no record has", v, s)
			}
		}
	})
}

func cmpFirst(v catalogue.Violation) int {
	if len(v.Seqs) == 0 {
		return 0
	}
	return int(v.Seqs[0])
}

func TestCheckRules(t *testing.T) {
	b := basic()
	b.flags("job-1", 0x5)
	b.transfer("job-1")
	b.call(1, "job-1", "alice", "app-1", jt, sOK)
	recs := b.idle()

	assert.Len(t, catalogue.CheckRules(recs, "G3"), 1)
	assert.Empty(t, catalogue.CheckRules(recs, "G4", "G31"))
	assert.Len(t, catalogue.CheckRules(recs, "G3", "G3"), 1, "a rule named twice runs once")
	assert.Empty(t, catalogue.CheckRules(recs))
	got := catalogue.CheckRules(recs, "G99")
	require.Len(t, got, 1)
	assert.Equal(t, "G99", got[0].Rule)
	assert.Equal(t, "unknown rule", got[0].Msg)
	assert.Equal(t, "G99: unknown rule", got[0].String())
}

func TestAllInIDOrder(t *testing.T) {
	var ids []string
	for _, r := range catalogue.All() {
		ids = append(ids, r.ID)
		assert.NotEmpty(t, r.Statement, r.ID)
		assert.NotEmpty(t, r.Source, r.ID)
		assert.NotNil(t, r.Check, r.ID)
		got, ok := catalogue.Lookup(r.ID)
		assert.True(t, ok)
		assert.Equal(t, r.ID, got.ID)
	}
	assert.Equal(t, []string{"G3", "G4", "G6", "G7", "G8", "G10", "G11", "G12", "G13", "G14", "G15", "G18", "G19",
		"G20", "G21", "G22", "G24", "G25", "G26", "G27", "G28", "G29", "G30", "G31", "G32", "G34", "G42", "G44", "T1", "T2"}, ids)
	for alias, id := range map[string]string{"G23": "G7", "G33": "G15", "G17": "G24"} {
		r, ok := catalogue.Lookup(alias)
		assert.True(t, ok, alias)
		assert.Equal(t, id, r.ID, alias)
	}
	_, ok := catalogue.Lookup("G1")
	assert.False(t, ok)

	all := catalogue.All()
	all[0].ID = "changed"
	assert.Equal(t, "G3", catalogue.All()[0].ID, "All returns a copy")
}

func TestViolationString(t *testing.T) {
	v := catalogue.Violation{Rule: "G31", Seqs: []int64{14, 17, 20, 22, 25}, Msg: "user alice has 5 calls in flight (cap 4)"}
	assert.Equal(t, "G31: seq 14, 17, 20, 22, 25: user alice has 5 calls in flight (cap 4)", v.String())
}

// Without run.config the defaults apply: cap 4, no interval, strict.
func TestDefaultsWithoutConfig(t *testing.T) {
	b := &tb{state: map[string]callbackabi.JobState{}}
	b.add(trace.Record{Ev: trace.EvRunStart})
	b.withJob()
	b.flags("job-1", 0x8)
	var seqs []int64
	for i := int64(1); i <= 5; i++ {
		b.modified("job-1", "progress")
		seqs = append(seqs, b.begin(i, "job-1", "alice", "app-1", jm))
	}
	b.transfer("job-1")
	recs := b.idle()
	got := catalogue.CheckRules(recs, "G31", "G14")
	require.Len(t, got, 1)
	assert.Equal(t, seqs, got[0].Seqs)
}

// bigTrace is a clean trace of about n records: users with a client each,
// jobs that transfer with JobModification, FileTransferred, a failed
// JobTransferred, its retry and Complete.
func bigTrace(n int) []trace.Record {
	b := newTBWith(4, 500*time.Millisecond, true)
	b.recs = slices.Grow(b.recs, n+32)
	const users = 16
	for u := range users {
		b.client(fmt.Sprint("app-", u), fmt.Sprint("user-", u), "MTA")
	}
	call := int64(0)
	for i := 0; len(b.recs) < n; i++ {
		job, user, client := "job-"+strconv.Itoa(i), "user-"+strconv.Itoa(i%users), "app-"+strconv.Itoa(i%users)
		b.create(job, user)
		b.flags(job, 0x1B)
		b.reg(job, client, user)
		b.to(job, queued)
		b.to(job, connecting)
		b.after(time.Second)
		call++
		b.call(call, job, user, client, jm, sOK)
		b.to(job, transferring)
		b.after(time.Second)
		call++
		b.call(call, job, user, client, jm, sOK)
		b.owed(job, ft, 0)
		call++
		b.call(call, job, user, client, ft, sOK)
		b.to(job, transferred)
		call++
		b.call(call, job, user, client, jt, eFail)
		b.retry(job, jt, time.Second)
		b.after(time.Second)
		call++
		b.call(call, job, user, client, jt, sOK)
		b.to(job, acknowledged)
		b.unreg(job, "final")
	}
	return b.idle()
}

func TestLargeTrace(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	recs := bigTrace(n)
	start := time.Now()
	vs := catalogue.Check(recs)
	took := time.Since(start)
	t.Logf("%d records checked in %v (%v per record)", len(recs), took, took/time.Duration(len(recs)))
	assert.Empty(t, vs)
	assert.Less(t, took, 30*time.Second)
}

func BenchmarkCheck(b *testing.B) {
	recs := bigTrace(100_000)
	b.ResetTimer()
	for b.Loop() {
		catalogue.Check(recs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(recs)), "ns/record")
}
