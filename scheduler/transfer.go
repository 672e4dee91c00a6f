package scheduler

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/trace"
)

// The transfer engine moves jobs through QUEUED → CONNECTING →
// TRANSFERRING → TRANSFERRED (G43) under the priority rules of G47: every
// FOREGROUND job runs, alongside one background job — the highest
// background priority wins, round-robin in time slices within it, and a
// higher priority preempts a lower one. Files transfer one after another,
// first in first out. (Under WineCompat: newest job first, run to
// completion, files in reverse order — W-8.)

// reschedule decides which jobs run now. FOREGROUND jobs run as soon as
// they are QUEUED (s.fgStart lists the ones waiting to start); the
// background jobs compete in s.pool for the one background place. Only
// those two small sets are looked at, so a million FOREGROUND jobs cost
// nothing here.
func (s *Service) reschedule() {
	if s.opts.Profile == ProfileWineCompat && s.wine.busy {
		return // the single worker is stuck in a callback (W-7)
	}
	for i := 0; i < len(s.fgStart); i++ {
		// A job whose owner is logged off stays QUEUED; Logon lists it
		// again.
		if j := s.fgStart[i]; j.state == stQueued && s.foreground(j) && j.mayTransfer() {
			s.startJob(j)
		}
	}
	s.fgStart = s.fgStart[:0]
	var bg *job
	for _, j := range s.pool {
		if j.mayTransfer() && (bg == nil || s.better(j, bg)) {
			bg = j
		}
	}
	for i := 0; i < len(s.pool); i++ {
		j := s.pool[i]
		switch run := j == bg; {
		case run && j.state == stQueued:
			s.startJob(j)
		case !run && j.state != stQueued:
			// Preempted or slice over (G43: TRANSFERRING → QUEUED).
			s.requeue(j)
		}
	}
}

// foreground reports whether j runs without competing (G47).
func (s *Service) foreground(j *job) bool {
	return j.prio == callbackabi.BG_JOB_PRIORITY_FOREGROUND && s.opts.Profile == ProfileDefault
}

// track keeps s.pool (active background jobs) and s.fgStart (FOREGROUND
// jobs waiting to start) up to date after j's state or priority changed.
func (s *Service) track(j *job) {
	inPool := j.active() && !s.foreground(j)
	switch {
	case inPool && j.poolIdx < 0:
		j.poolIdx = int32(len(s.pool))
		s.pool = append(s.pool, j)
	case !inPool && j.poolIdx >= 0:
		last := s.pool[len(s.pool)-1]
		s.pool[j.poolIdx] = last
		last.poolIdx = j.poolIdx
		s.pool = s.pool[:len(s.pool)-1]
		j.poolIdx = -1
	}
	if j.state == stQueued && s.foreground(j) {
		s.fgStart = append(s.fgStart, j)
	}
	if j.state == stQueued && inPool {
		// Somebody now waits behind the running job of its priority: that
		// job's slice will end (G47).
		for _, r := range s.pool {
			if r.state == stTransferring && r.prio == j.prio {
				s.armSlice(r)
			}
		}
	}
}

// better reports whether background job a should run instead of b.
func (s *Service) better(a, b *job) bool {
	if s.opts.Profile == ProfileWineCompat {
		// W-8: the most recently created queued job runs first, to completion.
		if (a.state != stQueued) != (b.state != stQueued) {
			return a.state != stQueued
		}
		return a.idx > b.idx
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	// Within a priority: the running job keeps its slice; else FIFO.
	if (a.state != stQueued) != (b.state != stQueued) {
		return a.state != stQueued
	}
	return a.queuedAt < b.queuedAt
}

func (s *Service) requeue(j *job) {
	j.queuedAt = s.nextQueued()
	j.setState(stQueued)
}

func (s *Service) nextQueued() int64 {
	s.queueSeq++
	return s.queueSeq
}

func (s *Service) startJob(j *job) {
	j.setState(stConnecting)
	s.w.After(s.opts.ConnectLatency, classState, s.kConnect, int64(j.idx), j.tgen)
	s.watchDownload(j, s.opts.ConnectLatency)
}

// jobAt returns the job of a job timer's event (A: the job's index, B: the
// state generation it was set in), or nil if the timer is stale.
func (s *Service) jobAt(a, b int64) *job {
	j := s.jobPtr(a)
	if j.tgen != b {
		return nil // stale timer
	}
	return j
}

// curFile returns the index of the next file to transfer, or -1.
func (j *job) nextFile() int {
	if j.s.opts.Profile == ProfileWineCompat {
		for i := len(j.files) - 1; i >= 0; i-- {
			if !j.files[i].done {
				return i
			}
		}
		return -1
	}
	for i, f := range j.files {
		if !f.done {
			return i
		}
	}
	return -1
}

func (s *Service) onConnect(a, b int64) {
	j := s.jobAt(a, b)
	if j == nil || j.state != stConnecting {
		return
	}
	if !s.network {
		s.transientError(j, callbackabi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, callbackabi.BG_E_NETWORK_DISCONNECTED, -1)
		return
	}
	if s.blockedByPolicy(j) {
		s.transientError(j, callbackabi.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, callbackabi.BG_E_BLOCKED_BY_POLICY, -1)
		return
	}
	i := j.nextFile()
	if i < 0 {
		// Fix (statetable tests, G11): an upload-reply job whose upload is
		// done but whose reply never arrived (it was suspended or lost the
		// network while waiting) waits for the reply again; it is not
		// TRANSFERRED without one.
		if j.typ == callbackabi.BG_JOB_TYPE_UPLOAD_REPLY && !j.replyDone {
			j.sliceStart = s.now()
			j.setState(stTransferring)
			if j.state == stTransferring {
				s.w.After(s.opts.ReplyLatency, classState, s.kReply, int64(j.idx), j.tgen)
				s.watchDownload(j, s.opts.ReplyLatency)
				s.armSlice(j)
			}
			return
		}
		s.transferred(j)
		return
	}
	j.cur, j.curf = int32(i), j.files[i]
	f := j.curf
	f.attempts++
	// G48: without range support only a FOREGROUND job with a known size of
	// at most 2 GB can download (in one request); a restart of a partial
	// download needs a range and fails.
	if f.spec.NoRanges && j.typ == callbackabi.BG_JOB_TYPE_DOWNLOAD && s.opts.Profile == ProfileDefault {
		// Fix (statetable/seed tests): the HEAD request has answered with the
		// size before the ranged GET fails, so the error's file reports it
		// (G50) and the seed's JobError can apply the 2 GB rule (G48).
		if !f.spec.NoHeadSize {
			f.sizeKnown = true
		}
		small := !f.spec.NoHeadSize && f.spec.Size <= callbackabi.TwoGB
		if j.prio != callbackabi.BG_JOB_PRIORITY_FOREGROUND || !small || f.transferred > 0 {
			s.fatalError(j, callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE, callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT, i)
			return
		}
	}
	if s.plannedFailure(j, f, i, 0) {
		return
	}
	if !f.spec.NoHeadSize {
		f.sizeKnown = true
	}
	j.sliceStart = s.now()
	j.setState(stTransferring)
	if j.state != stTransferring {
		return // a callback reacting to the state change moved it on
	}
	s.w.After(s.opts.Chunk, classState, s.kChunk, int64(j.idx), j.tgen)
	s.watchDownload(j, s.opts.Chunk)
	s.armSlice(j)
}

// armSlice arms the end of the running background job j's time slice —
// only when another job of its priority is waiting: slices are consecutive
// periods of TimeSlice from sliceStart, and the timer that ends one is
// armed when it has somebody to give way to (a lone job does not leave a
// timer behind that would keep the run from ending idle).
func (s *Service) armSlice(j *job) {
	if j.sliceArmed || j.state != stTransferring || s.foreground(j) || s.opts.Profile == ProfileWineCompat || !s.waiting(j) {
		return
	}
	at := j.sliceStart + s.opts.TimeSlice
	if now := s.now(); at < now {
		// The next slice boundary from sliceStart.
		at += (now - at + s.opts.TimeSlice - 1) / s.opts.TimeSlice * s.opts.TimeSlice
	}
	j.sliceArmed = true
	s.w.Schedule(at, classState, s.kSlice, int64(j.idx), j.tgen)
}

// waiting reports whether a job of j's priority is queued behind it.
func (s *Service) waiting(j *job) bool {
	for _, o := range s.pool {
		if o != j && o.state == stQueued && o.prio == j.prio {
			return true
		}
	}
	return false
}

// plannedFailure applies the first planned failure of f due at this point:
// at connect (reached == 0) or inside the chunk [transferred, reached].
// It reports whether the transfer stopped.
func (s *Service) plannedFailure(j *job, f *file, i int, reached uint64) bool {
	for k, fl := range f.spec.Failures {
		if f.fails[k] <= 0 {
			continue
		}
		atConnect := fl.AtByte == 0 && reached == 0
		inChunk := fl.AtByte > 0 && reached > f.transferred && f.transferred <= fl.AtByte && fl.AtByte <= reached
		if !atConnect && !inChunk {
			continue
		}
		f.fails[k]--
		ctx := fl.Context
		if ctx == 0 {
			ctx = callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE
		}
		if fl.AtByte != 0 {
			prev := f.transferred
			f.transferred = fl.AtByte
			if fl.AtByte > prev {
				// Issue 14: the bytes written before a failure in the middle of
				// a chunk count — as progress (G13, G46, G50) and as a range
				// FileRangesTransferred reports (G16: "BITS never downloads a
				// byte range twice and may report partial ranges"); the retry
				// goes on from AtByte.
				s.moved(j, i, prev, fl.AtByte-prev)
			}
		}
		if fl.ErrorObjectHR < 0 || fl.ErrorFileHR < 0 {
			s.broken = jobError{objHR: min(fl.ErrorObjectHR, 0), fileHR: min(fl.ErrorFileHR, 0)}
		}
		if fl.Transient {
			if f.spec.NoRanges && j.prio == callbackabi.BG_JOB_PRIORITY_FOREGROUND && f.transferred > 0 && s.opts.Profile == ProfileDefault {
				// G48 (S-BP): an interrupted foreground download without
				// ranges cannot restart.
				s.fatalError(j, callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE, callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT, i)
				return true
			}
			s.transientError(j, ctx, fl.HR, i)
		} else {
			s.fatalError(j, ctx, fl.HR, i)
		}
		return true
	}
	return false
}

// warmChunk is the chunk timers' prefetch hint (sim.World.Prefetch): when
// a tick's thousand chunk events come due at once (a million jobs), it
// reads, a window ahead of the chunk firing, the job's and its current
// file's lines that onChunk and the JobModification it raises go on to
// touch, and the registration's user's (the lanes) — the first touch of
// each is a cache miss, and here the misses of a window of events overlap
// instead of stalling one event after another (docs/PERFORMANCE.md). It
// only reads; the sum keeps the loads from being optimized away.
func (s *Service) warmChunk(a, _ int64) {
	j := s.jobPtr(a)
	// one load in each of the job's lines 0–3 (job), then the file's
	x := uint64(j.tgen) + uint64(j.minNote) + uint64(j.reg.gen) + uint64(j.n.ft.n)
	if f := j.curf; f != nil {
		x += f.transferred + f.spec.Size
	}
	if u := j.reg.user; u != nil {
		x += uint64(u.busy) + uint64(u.lanes[1].n)
	}
	if cl := j.reg.client; cl != nil {
		x += uint64(cl.nameID) // the call takes the client's user (takeCall)
	}
	s.warmSink += x
}

// warmInvoke is the invocations' prefetch hint: a tick's calls wait in
// the Soon queue, and a window ahead of the one starting it reads what
// validAtStart and the start touch — the job's registration and notify
// state, the client and its next worker thread.
func (s *Service) warmInvoke(a, _ int64) {
	c := s.calls[a]
	j := c.job()
	if j == nil {
		return // not a launched call: nothing to read (a hint must never fail)
	}
	x := uint64(j.state) + uint64(j.minNote) + uint64(j.reg.gen) + uint64(j.n.ft.n) + uint64(c.regGen) // lines 0–3
	if cl := c.client(); cl != nil {
		x += uint64(cl.nameID) // the client's first line (Client)
		if n := len(cl.idle); n > 0 {
			x += uint64(cl.idle[n-1].Depth())
		}
	}
	s.warmSink += x
}

func (s *Service) onChunk(a, b int64) {
	j := s.jobAt(a, b)
	if j == nil || j.state != stTransferring {
		return
	}
	f := j.curf
	target := f.transferred + s.step
	if target > f.spec.Size {
		target = f.spec.Size
	}
	// A planned failure inside this chunk stops the transfer there.
	if len(f.spec.Failures) > 0 && s.plannedFailure(j, f, int(j.cur), target) {
		return
	}
	if target > f.transferred {
		prev := f.transferred
		f.transferred = target
		// Fix (G16): the range is what this chunk added, [prev, target); a
		// last chunk cut short by the file size is shorter than step and
		// must not overlap the ranges already reported.
		s.moved(j, int(j.cur), prev, target-prev)
		if j.state != stTransferring {
			return
		}
	}
	if f.transferred < f.spec.Size {
		s.w.After(s.opts.Chunk, classState, s.kChunk, int64(j.idx), j.tgen)
		s.watchDownload(j, s.opts.Chunk)
		return
	}
	f.done = true
	f.sizeKnown = true
	s.packJob(trace.EvFileDone, j.nid(), 0, int64(j.cur), 0)
	s.fileTransferred(j, int(j.cur))
	if j.state != stTransferring {
		return
	}
	if i := j.nextFile(); i >= 0 {
		// Next file, same connection.
		j.cur, j.curf = int32(i), j.files[i]
		nf := j.curf
		nf.attempts++
		if s.plannedFailure(j, nf, i, 0) {
			return
		}
		if !nf.spec.NoHeadSize {
			nf.sizeKnown = true
		}
		s.w.After(s.opts.Chunk, classState, s.kChunk, int64(j.idx), j.tgen)
		s.watchDownload(j, s.opts.Chunk)
		return
	}
	if j.typ == callbackabi.BG_JOB_TYPE_UPLOAD_REPLY && !j.replyDone {
		// G11: JT only after the reply has reached the client.
		s.w.After(s.opts.ReplyLatency, classState, s.kReply, int64(j.idx), j.tgen)
		s.watchDownload(j, s.opts.ReplyLatency)
		return
	}
	s.transferred(j)
}

// moved records that n bytes of file i from offset off reached the job
// (file i's transferred count is already updated): progress resets the
// no-progress timer (G46), job.progress is written, JobModification is
// triggered (G13) and the range is owed to FileRangesTransferred (G16).
func (s *Service) moved(j *job, i int, off, n uint64) {
	j.npStart = -1 // progress resets the no-progress timer (G46)
	j.npGen++
	j.bytes += n // what j.progress() would sum, without a look at every file
	// job.progress, then modifiedBy("progress") — its job.modified in the
	// same append, its Name without a string compare (reasonName inlined).
	s.log.AppendProgress(s.w.Now(), j.nid(), int64(j.bytes), s.reasonName("progress"))
	j.touched()
	s.jmTrigger(j)
	if j.reg.cb3 { // the registration first (most callbacks have no FileRangesTransferred): inline
		s.rangesTransferred(j, i, off, n)
	}
}

func (s *Service) onReply(a, b int64) {
	j := s.jobAt(a, b)
	if j == nil || j.state != stTransferring {
		return
	}
	j.replyDone = true
	s.transferred(j)
}

func (s *Service) transferred(j *job) {
	j.setState(stTransferred)
	s.reschedule()
}

func (s *Service) onSlice(a, b int64) {
	j := s.jobAt(a, b)
	if j == nil || j.state != stTransferring {
		return
	}
	// Slice over: give way to another job of the same priority, if any.
	j.sliceArmed = false
	if s.waiting(j) {
		s.requeue(j)
		s.reschedule()
	}
}

func (s *Service) fatalError(j *job, ctx callbackabi.ErrorContext, code hr, fileIdx int) {
	j.setError(ctx, code, fileIdx)
	j.setState(stError)
	s.reschedule()
}

// transientError moves j to TRANSIENT_ERROR and plans the retry after the
// minimum retry delay (G43, G45), or to ERROR when the no-progress timeout
// has run out, is 0, or is shorter than the retry delay (G45, G46). A lost
// network or the bandwidth policy (waitsForCondition) is not retried on
// the retry-delay schedule (G44), so G45's "delay longer than the timeout:
// no retry, ERROR" does not apply to it: the "Users and Network
// Connections" page: "If the network connection is lost, all jobs whose
// state is BG_JOB_STATE_QUEUED or BG_JOB_STATE_TRANSFERRING are moved to
// the BG_JOB_STATE_TRANSIENT_ERROR state with a BG_E_NETWORK_DISCONNECTED
// error code." The no-progress timeout (G46) still holds.
func (s *Service) transientError(j *job, ctx callbackabi.ErrorContext, code hr, fileIdx int) {
	if s.opts.Profile == ProfileWineCompat {
		// W-9: Wine never retries automatically.
		j.setError(ctx, code, fileIdx)
		j.setState(stTransient)
		s.reschedule()
		return
	}
	now := s.now()
	if j.npStart < 0 {
		j.npStart = now
	}
	x := j.cold()
	deadline := j.npStart + x.noProgress
	if x.noProgress == 0 || now >= deadline || (x.retryDelay > x.noProgress && !waitsForCondition(code)) {
		j.setError(ctx, code, fileIdx)
		j.setState(stError)
		s.reschedule()
		return
	}
	j.setError(ctx, code, fileIdx)
	j.setState(stTransient)
	if j.state != stTransient {
		s.reschedule()
		return
	}
	if !waitsForCondition(code) {
		// G44: a lost network (or the bandwidth policy) is not retried on
		// the retry-delay schedule.
		s.w.After(j.cold().retryDelay, classTimer, s.kRetry, int64(j.idx), j.tgen)
	}
	s.w.Schedule(deadline, classTimer, s.kNoProgress, int64(j.idx), int64(j.npGen))
	s.reschedule()
}

// retryStale: the retry timer (a, b) would do nothing now — a newer one
// replaced it, or the job left TRANSIENT_ERROR (sim.World.Stale).
func (s *Service) retryStale(a, b int64) bool {
	j := s.jobAt(a, b)
	return j == nil || j.state != stTransient
}

func (s *Service) onTransferRetry(a, b int64) {
	if s.retryStale(a, b) {
		return
	}
	j := s.jobPtr(a)
	j.queuedAt = s.nextQueued()
	j.setState(stQueued)
	s.reschedule()
}

// noProgressStale: the no-progress timer (a, b) would do nothing now — the
// job made progress since, or left TRANSIENT_ERROR (sim.World.Stale).
func (s *Service) noProgressStale(a, b int64) bool {
	j := s.jobPtr(a)
	return int64(j.npGen) != b || j.state != stTransient
}

func (s *Service) onNoProgress(a, b int64) {
	if s.noProgressStale(a, b) {
		return
	}
	j := s.jobPtr(a)
	// G46: no progress for the whole timeout: TRANSIENT_ERROR → ERROR, then JE (G12).
	j.setState(stError)
	s.reschedule()
}

// inactiveStale: the inactivity timer (a, b) would do nothing now — the
// job saw activity since, or left ERROR and TRANSFERRED (sim.World.Stale).
func (s *Service) inactiveStale(a, b int64) bool {
	j := s.jobPtr(a)
	return j.activity != b || (j.state != stError && j.state != stTransferred)
}

// onInactive: no activity for JobInactivityTimeout in ERROR or
// TRANSFERRED, so BITS cancels the job (G44, table 2.10).
func (s *Service) onInactive(a, b int64) {
	if s.inactiveStale(a, b) {
		return
	}
	j := s.jobPtr(a)
	j.setState(stCancelled)
	s.reschedule()
}

// SetNetwork connects or disconnects the machine (G44). Disconnecting puts
// every active job in TRANSIENT_ERROR with BG_E_NETWORK_DISCONNECTED; when
// the network comes back every job in TRANSIENT_ERROR, whatever its error,
// returns to QUEUED. The "Users and Network Connections" page: "When a
// network connection is established, all jobs in a
// BG_JOB_STATE_TRANSIENT_ERROR state, which may include any error code, are
// moved to the BG_JOB_STATE_QUEUED state."
func (s *Service) SetNetwork(up bool) {
	if s.network == up {
		return
	}
	s.network = up
	if up {
		s.netUps++ // the server answers the pending cancel requests (policy.go)
		s.rec(trace.Record{Ev: trace.EvNetworkUp})
	} else {
		s.rec(trace.Record{Ev: trace.EvNetworkDown})
	}
	for j := range s.eachJob {
		if up {
			if j.state == stTransient && (s.opts.Profile == ProfileDefault || j.err != nil && j.err.code == callbackabi.BG_E_NETWORK_DISCONNECTED) &&
				!s.opts.Mutants.Has(mutant.NetworkBackIgnored) {
				j.queuedAt = s.nextQueued()
				j.setState(stQueued)
			}
			continue
		}
		if j.active() {
			s.transientError(j, callbackabi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, callbackabi.BG_E_NETWORK_DISCONNECTED, -1)
		}
	}
	s.reschedule()
}
