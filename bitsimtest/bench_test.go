package bitsimtest_test

import (
	"testing"

	"github.com/bitsim/bitsim/bitsimtest"
)

// BenchmarkClientWorld measures how many worlds per second CheckClient
// explores (build, run to the end, check) with the careful client of
// TestClientCoverage (three jobs of each type, a cancel and a pause
// button) in default worlds: the figure that bounds how deep a test
// searches in its time budget. BenchmarkCallbackWorld is the same for
// CheckCallback with the good callback of TestHarnessPassesAGoodCallback.
//
//	go test -run '^$' -bench 'World$' -benchtime 20x ./bitsimtest/
func BenchmarkClientWorld(b *testing.B) {
	worlds := 0
	for range b.N {
		worlds += bitsimtest.CheckClient(b, func(*bitsimtest.ClientWorld) bitsimtest.App { return &everyJob{} }, bitsimtest.ClientOptions{}).Worlds
	}
	b.ReportMetric(float64(worlds)/b.Elapsed().Seconds(), "worlds/s")
}

func BenchmarkCallbackWorld(b *testing.B) {
	for range b.N {
		bitsimtest.CheckCallback(b, goodCallback, bitsimtest.HarnessOptions{})
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "worlds/s") // rapid's default: 100 worlds a check
}
