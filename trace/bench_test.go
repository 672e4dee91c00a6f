package trace_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// benchRecord is a typical hot-path record: a callback invocation.
var benchRecord = trace.Record{Seq: 123456, T: 2000000000, Ev: trace.EvCallBegin, Call: 4242,
	Job: "job-123", User: "user-17", Client: "app-5", Method: trace.JobTransferred, Lane: trace.LaneHigh}

func BenchmarkAppendJSON(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = trace.AppendJSON(buf[:0], &benchRecord)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendJSONEscaped(b *testing.B) {
	r := benchRecord
	r.Job = `job "<1>" & more` + "\n"
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = trace.AppendJSON(buf[:0], &r)
	}
}

func BenchmarkEncode(b *testing.B) {
	recs := sampleTrace()
	b.ReportAllocs()
	for b.Loop() {
		_ = trace.Encode(io.Discard, recs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// logBatch bounds the memory of the Log benchmarks: the log is reset
// (capacity kept) every logBatch appends.
const logBatch = 1 << 14

func BenchmarkLogAppend(b *testing.B) {
	var l trace.Log
	r := benchRecord
	for range logBatch {
		l.Append(r)
	}
	b.ReportAllocs()
	for b.Loop() {
		if l.Len() == logBatch {
			l.Reset()
		}
		l.Append(r)
	}
}

func BenchmarkLogAppendHashOnly(b *testing.B) {
	var l trace.Log
	l.SetMode(trace.HashOnly)
	r := benchRecord
	l.Append(r)
	b.ReportAllocs()
	for b.Loop() {
		l.Append(r)
	}
}

func BenchmarkLogAppendCountOnly(b *testing.B) {
	var l trace.Log
	l.SetMode(trace.CountOnly)
	r := benchRecord
	b.ReportAllocs()
	for b.Loop() {
		l.Append(r)
	}
}

func BenchmarkParse(b *testing.B) {
	recs := sampleTrace()
	enc := encode(b, recs)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trace.Parse(bytes.NewReader(enc)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

func BenchmarkHash(b *testing.B) {
	recs := make([]trace.Record, 1000)
	for i := range recs {
		recs[i] = benchRecord
		recs[i].Seq = int64(i + 1)
		recs[i].HR = callbackabi.S_OK
	}
	b.ReportAllocs()
	for b.Loop() {
		trace.Hash(recs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
