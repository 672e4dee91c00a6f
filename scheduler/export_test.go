package scheduler

import (
	"reflect"

	"github.com/bitsim/bitsim/callbackabi"
)

// NoExtIsDefault reports whether noExt, the jobExt every job without one
// reads (job.cold), still holds only the defaults: nothing wrote through
// cold.
func NoExtIsDefault() bool {
	return reflect.DeepEqual(noExt, jobExt{
		retryDelay:  callbackabi.DefaultMinimumRetryDelay,
		noProgress:  callbackabi.DefaultNoProgressTimeout,
		maxDownload: callbackabi.MaxDownloadTime,
	})
}

// HasExt reports whether the job behind r has a jobExt.
func HasExt(r *JobRef) bool { return r.j.x != nil }
