package scheduler

import (
	"fmt"
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

// BytesMismatch names the first job of s whose running byte count (the
// job.progress records' bytes) is not the sum of its files' transferred
// bytes (what GetProgress reports), or returns "".
func BytesMismatch(s *Service) string {
	for j := range s.eachJob {
		var sum uint64
		for _, f := range j.files {
			sum += f.transferred
		}
		if sum != j.bytes {
			return fmt.Sprintf("%s: %d bytes counted, %d in its files", j.name(), j.bytes, sum)
		}
	}
	return ""
}

// FileInline reports whether file i of the job behind r is the one kept
// in the job itself (job.file0).
func FileInline(r *JobRef, i int) bool { return r.j.files[i] == &r.j.file0 }

// SetFastJM turns runJM, the JobModification's path in one frame, on or
// off, and returns the setting before.
func SetFastJM(on bool) (was bool) {
	was, fastJM = fastJM, on
	return was
}
