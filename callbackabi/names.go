package callbackabi

import "fmt"

var jobStateNames = [...]string{
	BG_JOB_STATE_QUEUED:          "QUEUED",
	BG_JOB_STATE_CONNECTING:      "CONNECTING",
	BG_JOB_STATE_TRANSFERRING:    "TRANSFERRING",
	BG_JOB_STATE_SUSPENDED:       "SUSPENDED",
	BG_JOB_STATE_ERROR:           "ERROR",
	BG_JOB_STATE_TRANSIENT_ERROR: "TRANSIENT_ERROR",
	BG_JOB_STATE_TRANSFERRED:     "TRANSFERRED",
	BG_JOB_STATE_ACKNOWLEDGED:    "ACKNOWLEDGED",
	BG_JOB_STATE_CANCELLED:       "CANCELLED",
}

// String returns the documented name without the BG_JOB_STATE_ prefix
// ("TRANSFERRED"), as trace format v1 writes it.
func (s JobState) String() string {
	if int(s) < len(jobStateNames) {
		return jobStateNames[s]
	}
	return fmt.Sprintf("JobState(%d)", uint32(s))
}

// ParseJobState accepts "TRANSFERRED" or "BG_JOB_STATE_TRANSFERRED".
func ParseJobState(text string) (JobState, error) {
	for i, n := range jobStateNames {
		if text == n || text == "BG_JOB_STATE_"+n {
			return JobState(i), nil
		}
	}
	return 0, fmt.Errorf("callbackabi: %q is not a BG_JOB_STATE name", text)
}

// Final reports whether s is CANCELLED or ACKNOWLEDGED (G42).
func (s JobState) Final() bool {
	return s == BG_JOB_STATE_CANCELLED || s == BG_JOB_STATE_ACKNOWLEDGED
}
