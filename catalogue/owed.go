package catalogue

import "github.com/bitsim/bitsim/trace"

// G28: an owed JobTransferred / JobError is never abandoned.
//
// G18 and G20 judge a registration that was never called, or called and
// still failing; G26, G27 and G29 judge the command line on its own. Each
// excuses the other channel: G20 stops asking for callback retries once a
// failure handed the notification to the command line, and G27 stops
// asking for program runs once a registration came. G28 closes the gap
// between them: when both channels have failed, BITS "will send the
// notification again after the minimum retry period" (S-SNC), so a run
// that goes idle with the notification still owed, somebody able to take
// it (a live registration, or a command line in BITS 1.5+) and nothing
// holding it back is a violation, whatever the channels did before.
// What G18, G20 (a registration not handed over), G26, G27 or G29 already
// report is left to them, so one lost notification is one violation.
//
// Owed here means: the job is in the triggering state (TRANSFERRED for JT,
// ERROR for JE) with the method's flag allowed, no FileTransferred holds
// it (G33, judged by G21), and in this state entry no call to the current
// registration succeeded and the program has not exited 0 for it
// (ambiguities 3, 4, 5). What holds it back: a call of the job in flight,
// a busy STA thread or all of the user's slots taken (see hung), or a
// program run that has not exited. Under BITS 1.5 the program runs once
// per entry (G27), and a run there ends the matter for both channels.
func judgeG28(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvRunEnd || r.Reason != "idle" {
		return
	}
	for _, j := range w.jobList {
		k := stateMethod(j.state)
		if k < 0 || !j.known {
			continue
		}
		m, n := owedMethods[k], &j.n[k]
		if !j.allows(m) || n.looseSucc != 0 || n.cmdOK != 0 || len(j.ftQ) > 0 || len(j.cmdRuns) > 0 || j.open.len() > 0 {
			continue
		}
		if w.cfg.bits.below(2, 0) && n.cmdStart != 0 {
			continue // BITS 1.5 runs the program once, and that ends it (G27)
		}
		if w.owedToReg(j, k) || w.g26Owes(j, k) || w.g27Owes(j) || w.g29Owes(j, k) {
			continue // G18 / G20, G26, G27 or G29 reports it
		}
		reg := w.liveReg(j)
		cmd := j.cmdSet && !w.cfg.bits.below(1, 5)
		switch {
		case j.reg.set && w.hung(j, m):
			continue // something holds the callback back (a dead client's too: BITS has yet to call it to find out, G23)
		case reg:
			b.report(g28Seqs(j, n, r), "%s is %s and still owed %s: registered to %s (seq %d)%s, nothing holds the call back, yet the run ended idle without delivering it",
				j.name, stateText(j), m, j.reg.client, j.reg.seq, g28Tried(j, n))
		case cmd:
			b.report(g28Seqs(j, n, r), "%s is %s and still owed %s: its command line (set by %s, seq %d) can take it%s, yet the run ended idle without the program exiting 0",
				j.name, stateText(j), m, j.cmdUser, j.cmdSeq, g28Tried(j, n))
		}
	}
}

// g28Seqs names the state entry, the last attempt if any, and run.end.
func g28Seqs(j *jobW, n *owedW, r *trace.Record) []int64 {
	seqs := []int64{j.stateSeq}
	last := max(n.lastFail, n.cmdStart)
	if last > j.stateSeq {
		seqs = append(seqs, last)
	}
	return append(seqs, r.Seq)
}

func g28Tried(j *jobW, n *owedW) string {
	switch {
	case n.lastFail != 0 && n.lastFail > n.cmdStart:
		return "; the last callback attempt failed at seq " + itoa(n.lastFail)
	case n.cmdStart != 0:
		return "; the program last started at seq " + itoa(n.cmdStart)
	}
	return ""
}
