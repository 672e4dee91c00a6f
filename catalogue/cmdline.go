package catalogue

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// Command-line notification: G24 (G17), G25, G26, G27, G29, G30.

func judgeG24(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCmdlineStart {
		return
	}
	j := w.job(r.Job)
	if !j.cmdSet {
		if j.cmdSeq != 0 {
			b.report([]int64{j.cmdSeq, r.Seq}, "%s for %s, whose command line was removed at seq %d", what(r), j.name, j.cmdSeq)
		} else {
			b.report([]int64{r.Seq}, "%s for %s, which never had a command line (job.cmdline)", what(r), j.name)
		}
	}
	k := stateMethod(j.state)
	switch {
	case !j.known || k < 0:
		b.report([]int64{j.stateSeq, r.Seq}, "%s for %s while it is %s: the program runs only for TRANSFERRED and ERROR (G17)",
			what(r), j.name, stateText(j))
	case j.flags&flagOf(owedMethods[k]) == 0:
		bit := flagOf(owedMethods[k])
		b.report([]int64{j.flagsSeq, r.Seq}, "%s for %s while it is %s, but its flags %s (%s) lack %s",
			what(r), j.name, j.state, flagsHex(j.flags), j.flags, bit)
	}
	if w.cfg.bits.below(1, 5) {
		b.report([]int64{w.cfg.seq, r.Seq}, "%s for %s, but command-line notification needs BITS 1.5 and run.config models BITS %s",
			what(r), j.name, w.cfg.bits)
	}
}

func judgeG25(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCmdlineStart {
		return
	}
	j := w.job(r.Job)
	k := stateMethod(j.state)
	if !j.cmdSet || k < 0 || !j.known {
		return // G24
	}
	n := &j.n[k]
	switch {
	case j.reg.set && n.relieved == 0:
		b.report([]int64{j.reg.seq, r.Seq}, "%s for %s while %s is registered (seq %d) and no %s to it has failed: the callback goes first",
			what(r), j.name, j.reg.client, j.reg.seq, owedMethods[k])
	case n.looseSucc != 0:
		b.report([]int64{n.looseSucc, r.Seq}, "%s for %s after %s succeeded at seq %d: the command line runs only if the callback fails",
			what(r), j.name, owedMethods[k], n.looseSucc)
	}
}

func judgeG26(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCallBegin:
		k := owedIndex(r.Method)
		if k < 0 {
			return
		}
		j := w.job(r.Job)
		n := &j.n[k]
		if n.takeover != 0 && j.reg.set && r.Client == j.reg.client {
			b.report([]int64{n.takeover, r.Seq}, "%s for %s after the same registration failed at seq %d with a command line registered: the command line takes over and the method is not called again",
				what(r), j.name, n.takeover)
		}
	case trace.EvRunEnd:
		if r.Reason != "idle" {
			return
		}
		for _, j := range w.jobList {
			for k, m := range owedMethods {
				if w.g26Owes(j, k) {
					b.report([]int64{j.n[k].takeover, r.Seq}, "%s for %s failed at seq %d with a command line registered, but the program never ran before the run ended idle",
						m, j.name, j.n[k].takeover)
				}
			}
		}
	}
}

// g26Owes: at an idle run.end, JobTransferred (k 0) / JobError (k 1)
// failed with a command line registered and the program never ran after
// that (G26's liveness).
func (w *world) g26Owes(j *jobW, k int) bool {
	n := &j.n[k]
	return n.takeover != 0 && n.looseSucc == 0 && len(j.ftQ) == 0 && j.open.len() == 0 && j.known && j.state == triggerState(k) && j.allows(owedMethods[k]) && j.cmdSet &&
		n.cmdStart < n.takeover && n.cmdOK == 0 && len(j.cmdRuns) == 0 && !w.cfg.bits.below(1, 5)
}

func judgeG27(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCmdlineStart:
		j := w.job(r.Job)
		if j.cmdRetrySeq != 0 && r.T < j.cmdRetryT+j.cmdRetryWait {
			b.report([]int64{j.cmdRetrySeq, r.Seq}, "%s for %s began %v after the failed run exited (seq %d); the job's minimum retry delay is %v",
				what(r), j.name, time.Duration(r.T-j.cmdRetryT), j.cmdRetrySeq, j.cmdRetryWait)
		}
		if k := stateMethod(j.state); k >= 0 && j.known && j.n[k].cmdOK != 0 && j.cmdSeq < j.n[k].cmdOK {
			b.report([]int64{j.n[k].cmdOK, r.Seq}, "%s for %s after the program already exited 0 at seq %d in this %s entry",
				what(r), j.name, j.n[k].cmdOK, j.state)
		}
	case trace.EvRunEnd:
		if r.Reason != "idle" || w.cfg.bits.below(2, 0) {
			return // BITS 1.5 and earlier ran the program once
		}
		for _, j := range w.jobList {
			if w.g27Owes(j) {
				b.report([]int64{j.cmdRetrySeq, r.Seq}, "the notification program for %s exited non-zero at seq %d while the job stayed %s, and never ran again before the run ended idle",
					j.name, j.cmdRetrySeq, j.state)
			}
		}
	}
}

// g27Owes: at an idle run.end, the program exited non-zero while the job
// stayed in the state and never ran again (G27's liveness; BITS 2.0+).
func (w *world) g27Owes(j *jobW) bool {
	k := stateMethod(j.state)
	return !w.cfg.bits.below(2, 0) && j.cmdRetrySeq != 0 && k >= 0 && j.cmdSet && j.allows(owedMethods[k]) && len(j.cmdRuns) == 0 && j.open.len() == 0
}

// g29Owes: at an idle run.end, the job is in the state with a command line
// and no registration, and the program never ran (G29's liveness).
func (w *world) g29Owes(j *jobW, k int) bool {
	n := &j.n[k]
	return !w.cfg.bits.below(1, 5) && j.known && j.state == triggerState(k) && j.allows(owedMethods[k]) && j.cmdSet && !j.reg.set && len(j.ftQ) == 0 && j.open.len() == 0 &&
		n.relieved == 0 && n.looseSucc == 0 && n.prevSucc == 0 && n.cmdStart == 0 && n.cmdOK == 0 && len(j.cmdRuns) == 0
}

func judgeG29(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvRunEnd || r.Reason != "idle" {
		return
	}
	for _, j := range w.jobList {
		for k := range owedMethods {
			if w.g29Owes(j, k) {
				b.report([]int64{j.stateSeq, j.cmdSeq, r.Seq}, "%s is %s with a command line registered by %s (seq %d) and no callback, yet the program never ran before the run ended idle",
					j.name, stateText(j), j.cmdUser, j.cmdSeq)
			}
		}
	}
}

// judgeG30: the SetNotifyCmdLine page: "If the BITS job is in a service
// account context (i.e. networkservice/localsystem/localservice), no form of
// command line callback will be executed." The job's owner is the user of
// its job.create, or of its last job.owner.
func judgeG30(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCmdlineStart {
		return
	}
	if j := w.job(r.Job); callbackabi.IsServiceAccount(j.owner) {
		b.report([]int64{r.Seq}, "notification program run %d started for %s, owned by the service account %s: no command line runs in a service-account context",
			r.Run, j.name, j.owner)
	}
}
