package bitsim_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
)

// A well-behaved callback: complete on JobTransferred, cancel on JobError,
// S_OK everywhere (G5), quick.
func goodCallback(*scenarios.Env) callbackabi.Callback { return good() }

func good() *scenarios.Funcs {
	return &scenarios.Funcs{
		Transferred: func(j callbackabi.Job) callbackabi.HRESULT { j.Complete(); return callbackabi.S_OK },
		Error:       func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { j.Cancel(); return callbackabi.S_OK },
	}
}

// with returns a good callback with one method replaced.
func with(change func(f *scenarios.Funcs)) *scenarios.Funcs {
	f := good()
	change(f)
	return f
}

func TestHarnessPassesAGoodCallback(t *testing.T) {
	bitsim.CheckCallback(t, goodCallback, bitsim.HarnessOptions{})
}

// The harness must catch each kind of broken callback.
func TestHarnessCatchesBrokenCallbacks(t *testing.T) {
	var kept callbackabi.Job // a job argument kept past its call (G35)
	for _, tc := range []struct {
		name string
		make func(env *scenarios.Env) callbackabi.Callback
		want string
	}{
		{"never-s-ok", func(*scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) {
				f.Transferred = func(callbackabi.Job) callbackabi.HRESULT { return callbackabi.E_FAIL }
			})
		}, "G20|ended TRANSFERRED"},
		{"keeps-its-argument", func(*scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) {
				f.Transferred = func(j callbackabi.Job) callbackabi.HRESULT {
					if kept != nil {
						kept.GetState() // a job handed to an earlier call (G35)
					}
					kept = j
					j.Complete()
					return callbackabi.S_OK
				}
			})
		}, "G35"},
		{"blocks-its-slot", func(env *scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) {
				f.Transferred = func(j callbackabi.Job) callbackabi.HRESULT {
					env.Clock.Sleep(10 * time.Minute)
					j.Complete()
					return callbackabi.S_OK
				}
			})
		}, "held a slot"},
		{"forgets-errors", func(*scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) { f.Error = nil })
		}, "ended ERROR"},
		{"modification-not-s-ok", func(*scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) {
				f.Modification = func(callbackabi.Job) callbackabi.HRESULT { return callbackabi.S_FALSE }
			})
		}, "G5"},
		{"panics", func(*scenarios.Env) callbackabi.Callback {
			return with(func(f *scenarios.Funcs) {
				f.Transferred = func(callbackabi.Job) callbackabi.HRESULT { panic("oops") }
			})
		}, "panicked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{name: "harness-" + tc.name}
			t.Cleanup(func() {
				_ = os.RemoveAll(filepath.Join("testdata", "rapid", rec.name))
				_ = os.Remove(filepath.Join("testdata", "failures", rec.name+".jsonl"))
			})
			bitsim.CheckCallback(rec, tc.make, bitsim.HarnessOptions{})
			require.True(t, rec.Failed(), "the harness did not catch %s", tc.name)
			require.Regexp(t, tc.want, strings.Join(rec.msgs, "\n"))
		})
	}
}
