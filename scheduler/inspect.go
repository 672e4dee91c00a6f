package scheduler

import "github.com/bitsim/bitsim/callbackabi"

// JobStatus reports what the service knows of the job whose trace name is
// name ("job-3"): its state, and how many of its files Complete made
// available (G50) out of how many it has. ok is false for an unknown name.
// It is the harness's look at the service's side of a job, for checks the
// trace cannot decide (a partial completion, BG_S_PARTIAL_COMPLETE, ends
// ACKNOWLEDGED like a full one); it changes nothing and records nothing.
func (s *Service) JobStatus(name string) (st callbackabi.JobState, completed, files int, ok bool) {
	for j := range s.eachJob {
		if j.name() != name {
			continue
		}
		for _, f := range j.files {
			if f.completed {
				completed++
			}
		}
		return j.state, completed, len(j.files), true
	}
	return 0, 0, 0, false
}
