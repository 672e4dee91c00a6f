package scheduler

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/sim"
)

// wineWorker is Wine's single service thread (W-1, W-7): every callback is
// a synchronous call from it, and while one runs no transfer advances.
type wineWorker struct {
	th   *sim.Thread
	busy bool
}

// wineTransition is Wine's whole dispatcher (W-2, W-3, W-4): on entering
// TRANSFERRED, if a callback is registered at that instant and flag 0x1 is
// set (DISABLE is not looked at), call JobTransferred once and ignore what
// it returns.
func (s *Service) wineTransition(j *job, to jobState) {
	if to != stTransferred || j.reg.cb == nil || j.flags&callbackabi.BG_NOTIFY_JOB_TRANSFERRED == 0 {
		return
	}
	if s.wine.th == nil {
		s.wine.th = s.w.NewThread("qmgr/worker")
	}
	if s.wine.busy || s.w.Current() != nil {
		return // a transition made from inside a callback: Wine's worker is busy
	}
	c := s.takeCall(j, mJT, j.reg.user, 0) // no cap under Wine: the slot only counts
	s.wine.busy = true
	s.w.RunOn(s.wine.th, func() {
		if !c.client().alive {
			s.recBegin(c, 0)
			s.endCall(c, 0, outcomeDisconnected)
			return
		}
		s.runCall(c, 0)
	})
	s.wine.busy = false
	s.reschedule()
}
