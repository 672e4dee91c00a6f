package catalogue

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// Flags: G3 (DISABLE dominates) and G4 (per-method gating).

// what names the subject of a call.begin or cmdline.start for messages.
func what(r *trace.Record) string {
	if r.Ev == trace.EvCmdlineStart {
		return "notification program run " + itoa(r.Run)
	}
	return r.Method.String() + " call " + itoa(r.Call)
}

func flagsHex(f callbackabi.NotifyFlags) string { return "0x" + hex(uint64(f)) }

func judgeG3(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin && r.Ev != trace.EvCmdlineStart {
		return
	}
	j := w.job(r.Job)
	if j.disabled() {
		b.report([]int64{j.flagsSeq, r.Seq}, "%s for %s began while its flags are %s (%s): DISABLE suppresses every notification",
			what(r), j.name, flagsHex(j.flags), j.flags)
	}
}

func judgeG4(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin {
		return
	}
	bit := flagOf(r.Method)
	if bit == 0 {
		return // not a callback method: T1
	}
	j := w.job(r.Job)
	if j.flags&bit == 0 {
		since := "by default"
		if j.flagsSeq != 0 {
			since = "since seq " + itoa(j.flagsSeq)
		}
		b.report([]int64{j.flagsSeq, r.Seq}, "%s for %s, but its flags %s (%s, %s) lack %s (%s)",
			what(r), j.name, flagsHex(j.flags), j.flags, since, bit, flagsHex(bit))
	}
	need := ""
	switch {
	case r.Method == trace.FileTransferred && w.cfg.bits.below(3, 0):
		need = "3.0"
	case r.Method == trace.FileRangesTransferred && w.cfg.bits.below(10, 1):
		need = "10.1"
	}
	if need != "" {
		b.report([]int64{w.cfg.seq, r.Seq}, "%s for %s, but %s needs BITS %s and run.config models BITS %s",
			what(r), j.name, r.Method, need, w.cfg.bits)
	}
}
