package trace_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// hostile strings a model identifier could hold.
var hostile = []string{
	"", `"`, `\`, `\"`, "\n", "\r\n", "\x00", "\x1f\x7f", "<script>alert('x')</script>", "</svg>&amp;",
	"\u2028\u2029", "\xff", "\xc3", "\xed\xa0\x80", "\uFFFD", "🙂", `{"seq":1}`, "\t ", "job-1", "alice",
}

// genString draws arbitrary strings: any runes, hostile samples, or raw
// bytes (mostly invalid UTF-8).
var genString = rapid.OneOf(
	rapid.String(),
	rapid.SampledFrom(hostile),
	rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 12), func(b []byte) string { return string(b) }),
	rapid.Map(rapid.SliceOfN(rapid.SampledFrom(hostile), 0, 4), func(s []string) string { return strings.Join(s, "") }),
)

var genDuration = rapid.Map(rapid.Int64(), func(n int64) time.Duration { return time.Duration(n) })

// genRecord draws a record of any kind with every field set at random
// (fields its Ev does not use included); enum fields stay in range, since
// an out-of-range enum is not a format v1 value.
func genRecord(t *rapid.T, seq int64, at time.Duration) trace.Record {
	r := trace.Record{
		Seq:       seq,
		T:         at,
		Ev:        trace.Ev(rapid.IntRange(0, len(allEvs())).Draw(t, "ev")),
		Seed:      rapid.Uint64().Draw(t, "seed"),
		Scenario:  genString.Draw(t, "scenario"),
		Version:   genString.Draw(t, "version"),
		Job:       genString.Draw(t, "job"),
		User:      genString.Draw(t, "user"),
		Client:    genString.Draw(t, "client"),
		Apartment: genString.Draw(t, "apartment"),
		From:      callbackabi.JobState(rapid.IntRange(0, 8).Draw(t, "from")),
		To:        callbackabi.JobState(rapid.IntRange(0, 8).Draw(t, "to")),
		Flags:     callbackabi.NotifyFlags(rapid.Uint32().Draw(t, "flags")),
		Call:      rapid.Int64().Draw(t, "call"),
		Parent:    rapid.Int64().Draw(t, "parent"),
		Method:    trace.Method(rapid.IntRange(int(trace.JobTransferred), int(trace.CmdLine)).Draw(t, "method")),
		Lane:      rapid.SampledFrom([]trace.Lane{trace.LaneHigh, trace.LaneLow}).Draw(t, "lane"),
		HR:        callbackabi.HRESULT(rapid.Int32().Draw(t, "hr")),
		Outcome:   rapid.SampledFrom([]string{"", trace.OutcomeDisconnected, trace.OutcomePanic}).Draw(t, "outcome"),
		Reason:    genString.Draw(t, "reason"),
		Run:       rapid.Int64().Draw(t, "run"),
		Code:      rapid.Int64().Draw(t, "code"),
		File:      rapid.Int64().Draw(t, "file"),
		Context:   callbackabi.ErrorContext(rapid.IntRange(0, 7).Draw(t, "context")),
		At:        genDuration.Draw(t, "at"),
		Bytes:     rapid.Int64().Draw(t, "bytes"),
		Profile:   genString.Draw(t, "profile"),
		Bits:      genString.Draw(t, "bits"),
		Cap:       rapid.Int64().Draw(t, "cap"),
		Interval:  genDuration.Draw(t, "interval"),
		Strict:    rapid.Bool().Draw(t, "strict"),
		Delay:     genDuration.Draw(t, "delay"),
	}
	if r.Ev == trace.EvAppOutcome {
		// The parser accepts only the three outcomes an application reports.
		r.Outcome = rapid.SampledFrom([]string{trace.AppSucceeded, trace.AppFailed, trace.AppCancelled}).Draw(t, "app outcome")
	}
	if r.Ev == trace.EvUnknown {
		// Any name that is not a known ev (a known one would need its keys).
		r.Name = "x." + genString.Draw(t, "name")
	} else {
		r.Name = genString.Draw(t, "name")
	}
	return r
}

// genTrace draws a well-formed trace: seq 1, 2, 3 … and t never going back.
var genTrace = rapid.Custom(func(t *rapid.T) []trace.Record {
	n := rapid.IntRange(0, 40).Draw(t, "n")
	recs := make([]trace.Record, n)
	at := time.Duration(rapid.Int64Range(0, 1<<62).Draw(t, "t0"))
	for i := range recs {
		at += time.Duration(rapid.Int64Range(0, 1<<50).Draw(t, "dt"))
		recs[i] = genRecord(t, int64(i+1), at)
	}
	return recs
})

// valid is what a string becomes on disk: each byte of invalid UTF-8 is
// U+FFFD (the same rule as a []rune conversion).
func valid(s string) string { return string([]rune(s)) }

// written returns what Parse must give back for r: the fields its Ev
// writes, strings made valid UTF-8. It lists the fields of docs/TRACE.md
// independently of the encoder's table.
func written(r trace.Record) trace.Record {
	w := trace.Record{Seq: r.Seq, T: r.T, Ev: r.Ev}
	switch r.Ev {
	case trace.EvUnknown:
		w.Name = valid(r.Name)
	case trace.EvRunStart:
		w.Seed, w.Scenario, w.Version = r.Seed, valid(r.Scenario), valid(r.Version)
	case trace.EvRunEnd, trace.EvLimit:
		w.Reason = valid(r.Reason)
	case trace.EvClientStart:
		w.Client, w.User, w.Apartment = valid(r.Client), valid(r.User), valid(r.Apartment)
	case trace.EvClientExit:
		w.Client, w.User, w.Apartment, w.Reason = valid(r.Client), valid(r.User), valid(r.Apartment), valid(r.Reason)
	case trace.EvJobCreate, trace.EvJobOwner, trace.EvJobCmdline:
		w.Job, w.User = valid(r.Job), valid(r.User)
	case trace.EvJobState:
		w.Job, w.From, w.To = valid(r.Job), r.From, r.To
	case trace.EvJobFlags:
		w.Job, w.Flags = valid(r.Job), r.Flags
	case trace.EvJobRegister:
		w.Job, w.Client, w.User = valid(r.Job), valid(r.Client), valid(r.User)
	case trace.EvJobUnregister, trace.EvJobModified:
		w.Job, w.Reason = valid(r.Job), valid(r.Reason)
	case trace.EvCallBegin:
		w.Call, w.Job, w.User, w.Client = r.Call, valid(r.Job), valid(r.User), valid(r.Client)
		w.Method, w.Lane, w.Parent = r.Method, r.Lane, r.Parent
	case trace.EvCallEnd:
		w.Call = r.Call
		switch r.Outcome {
		case trace.OutcomeDisconnected:
			w.Outcome = r.Outcome
		case trace.OutcomePanic:
			w.HR, w.Outcome = r.HR, r.Outcome
		default:
			w.HR = r.HR
		}
	case trace.EvCmdlineStart:
		w.Job, w.Run = valid(r.Job), r.Run
	case trace.EvCmdlineExit:
		w.Job, w.Run, w.Code = valid(r.Job), r.Run, r.Code
	case trace.EvNotifyOwed:
		w.Job, w.Method, w.File = valid(r.Job), r.Method, r.File
	case trace.EvNotifyDrop:
		w.Job, w.Method, w.Reason = valid(r.Job), r.Method, valid(r.Reason)
	case trace.EvSlotWait:
		w.Job, w.User, w.Method, w.Lane = valid(r.Job), valid(r.User), r.Method, r.Lane
	case trace.EvRetry:
		w.Job, w.Method, w.At = valid(r.Job), r.Method, r.At
	case trace.EvFileDone:
		w.Job, w.File = valid(r.Job), r.File
	case trace.EvJobError:
		w.Job, w.HR, w.Context, w.File = valid(r.Job), r.HR, r.Context, r.File
	case trace.EvJobProgress:
		w.Job, w.Bytes = valid(r.Job), r.Bytes
	case trace.EvRunConfig:
		w.Profile, w.Bits, w.Cap, w.Interval, w.Strict, w.Delay = valid(r.Profile), valid(r.Bits), r.Cap, r.Interval, r.Strict, r.Delay
	case trace.EvJobRetryDelay:
		w.Job, w.Delay = valid(r.Job), r.Delay
	case trace.EvAppOutcome:
		w.Job, w.Client, w.Outcome, w.Reason = valid(r.Job), valid(r.Client), r.Outcome, valid(r.Reason)
	case trace.EvUserAction:
		w.Client, w.User, w.Reason = valid(r.Client), valid(r.User), valid(r.Reason)
	case trace.EvUserLogoff, trace.EvUserLogon:
		w.User = valid(r.User)
	case trace.EvSTAHold, trace.EvSTARelease:
		w.Client = valid(r.Client)
	case trace.EvCallQueued:
		w.Call, w.Job, w.User, w.Client, w.Method, w.Lane = r.Call, valid(r.Job), valid(r.User), valid(r.Client), r.Method, r.Lane
	case trace.EvCallUnqueued:
		w.Call = r.Call
	case trace.EvNetworkDown, trace.EvNetworkUp:
		// no keys: the machine's network
	default:
		panic("written: add the new ev " + r.Ev.String())
	}
	return w
}

func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := genTrace.Draw(t, "trace")
		enc := encode(t, recs)

		// Every line is one JSON object, valid UTF-8, safe to embed.
		lines := bytes.SplitAfter(enc, []byte("\n"))
		require.Len(t, lines, len(recs)+1)
		for _, l := range lines[:len(recs)] {
			require.True(t, json.Valid(l), "%q", l)
			require.True(t, utf8.Valid(l), "%q", l)
			require.NotContains(t, string(l[:len(l)-1]), "\n")
			for _, c := range []string{"<", ">", "&", "\u2028", "\u2029", "\r", "\x00"} {
				require.NotContains(t, string(l), c)
			}
		}

		got, err := trace.Parse(bytes.NewReader(enc))
		require.NoError(t, err)
		var want []trace.Record // nil for an empty trace, like Parse
		for i := range recs {
			want = append(want, written(recs[i]))
		}
		require.Equal(t, want, got)
		require.Equal(t, string(enc), string(encode(t, got)), "Encode→Parse→Encode is byte-identical")
		require.Equal(t, trace.Hash(recs), trace.Hash(got))
	})
}

func TestEncodingIgnoresUnusedFields(t *testing.T) {
	// Two records that differ only in fields their Ev does not write encode
	// the same: no stray key can leak from a reused struct.
	rapid.Check(t, func(t *rapid.T) {
		a := genRecord(t, 1, 0)
		b := genRecord(t, 1, 0)
		b.Ev = a.Ev
		if a.Ev == trace.EvUnknown {
			b.Name = a.Name
		}
		assert.Equal(t, written(a) == written(b), line(a) == line(b))
	})
}
