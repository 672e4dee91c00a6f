package bitsim_test

// Benchmarks of the dispatch core (docs/PERFORMANCE.md has the figures and
// the command that reproduces them). Speed is measured here, never in
// timed tests.
//
//   - BenchmarkDispatch: delivering one notification (a JobModification
//     raised by transfer progress) to a callback that returns S_OK at once,
//     trace recording on, in steady state, with 1k, 10k, 100k and 1M jobs
//     (and their pending timers);
//   - BenchmarkMinimalLoop: the floor — a minimal loop of the same shape
//     (per-user slot counters, two FIFO lanes, a typed heap of pending
//     completions, no trace) over the same number of pending events;
//   - BenchmarkKernelFloor: MinimalLoop plus the simulator's fixed costs
//     per notification (a kernel event, a virtual thread, four trace
//     records), to split Dispatch into those and the dispatcher's own;
//   - BenchmarkGoroutinePerNotification: the obvious alternative — a
//     goroutine per notification and a 4-slot semaphore per user.

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// okCallback returns S_OK from every method at once.
type okCallback struct{}

func (okCallback) JobTransferred(callbackabi.Job) callbackabi.HRESULT { return callbackabi.S_OK }
func (okCallback) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (okCallback) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// dispatchWorld: jobs FOREGROUND downloads (all run at once, G47) of a huge
// file, each raising one JobModification per second of transfer (BITS 4.0:
// no notification interval), four jobs per user so that the callbacks,
// which return at once, never wait for a slot.
func dispatchWorld(b *testing.B, jobs int) (*sim.World, *scheduler.Service, *trace.Log) {
	opts := scheduler.DefaultOptions()
	opts.Version = scheduler.Version{Major: 4, Minor: 0}
	opts.EnforcePolicyLimits = false
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxEvents: 1 << 62})
	log := &trace.Log{}
	svc := scheduler.New(w, log, "bench", 1, opts)
	// Setup records are not what is measured: count them only, so the log
	// does not keep a setup-sized buffer (at 1M jobs it held ~110 B a job
	// when setup kept up to 100,000 records between resets).
	log.Reset()
	log.SetMode(trace.CountOnly)
	users := max(jobs/4, 1)
	var clients []*scheduler.Client
	for u := 0; u < users; u++ {
		user := svc.AddUser("user-"+strconv.Itoa(u), false)
		clients = append(clients, svc.StartClient("app-"+strconv.Itoa(u), user, scheduler.MTA))
	}
	cb := okCallback{}
	for i := 0; i < jobs; i++ {
		j, hr := clients[i%users].CreateJob("bench", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		if hr != callbackabi.S_OK {
			b.Fatal(hr)
		}
		j.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/f", LocalName: `C:\f`, Size: 1 << 60})
		j.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND)
		j.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_MODIFICATION)
		j.SetNotifyInterface(cb)
		// Starts spread over one second, so the per-second JobModifications
		// are spread too and a millisecond of virtual time holds jobs/1000.
		w.AfterFunc(time.Duration(i%1000)*time.Millisecond, func() { j.Resume() })
	}
	log.Reset()
	log.SetMode(trace.KeepRecords)
	return w, svc, log
}

func benchDispatch(b *testing.B, jobs int) {
	w, svc, log := dispatchWorld(b, jobs)
	// Slices of about a thousand notifications: each RunUntil costs a
	// coroutine start, and the trace of a slice stays small.
	step := max(time.Second*1000/time.Duration(jobs), time.Millisecond)
	// Warm up: every job transferring, pools and queues at working size.
	steps(b, w, log, step, func() bool { return w.Now() < 3*time.Second })
	// Memory per job: the whole heap (jobs, files, calls, queues, the
	// trace buffer of one slice) over the number of jobs.
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	perJob := float64(ms.HeapAlloc) / float64(jobs)
	b.ReportAllocs()
	b.ResetTimer()
	start := svc.Stats().Calls
	steps(b, w, log, step, func() bool { return svc.Stats().Calls-start < int64(b.N) })
	b.StopTimer()
	b.ReportMetric(float64(svc.Stats().Calls-start)/float64(b.N), "calls/op")
	b.ReportMetric(perJob, "heapB/job") // after the timer reset, which drops metrics
	w.Close()
}

// steps runs w a step of virtual time at a time while more reports true,
// dropping the trace of each step: a step is a JobModification for about a
// thousand jobs, recorded (KeepRecords) and dropped so memory stays steady.
func steps(b *testing.B, w *sim.World, log *trace.Log, step time.Duration, more func() bool) {
	for more() {
		if err := w.RunUntil(w.Now() + step); err != nil {
			b.Fatal(err)
		}
		log.Reset()
	}
}

// bySize runs bench with 1k, 10k, 100k and 1M jobs (1M, ~2 GB, not in
// -short).
func bySize(b *testing.B, bench func(b *testing.B, jobs int)) {
	b.Run("jobs=1k", func(b *testing.B) { bench(b, 1000) })
	b.Run("jobs=10k", func(b *testing.B) { bench(b, 10_000) })
	b.Run("jobs=100k", func(b *testing.B) { bench(b, 100_000) })
	b.Run("jobs=1M", func(b *testing.B) {
		if testing.Short() {
			b.Skip("1M jobs: skipped in -short")
		}
		bench(b, 1_000_000)
	})
}

func BenchmarkDispatch(b *testing.B) {
	bySize(b, benchDispatch)
}

// The minimal loop: per-user slot counters, two FIFO lanes, a typed heap
// of pending completions, no trace, no callback machinery.
type minEvent struct {
	at  int64
	job int32
}

type minHeap []minEvent

func (h *minHeap) push(e minEvent) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].at <= s[i].at {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *minHeap) pop() minEvent {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	*h = s[:n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s[r].at < s[l].at {
			m = r
		}
		if s[i].at <= s[m].at {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	return top
}

type minUser struct {
	busy  int
	lanes [2][]int32
	head  [2]int
}

func benchMinimal(b *testing.B, jobs int) {
	users := max(jobs/10, 1)
	us := make([]minUser, users)
	h := make(minHeap, 0, jobs)
	for i := 0; i < jobs; i++ {
		h.push(minEvent{at: int64(i % 1000), job: int32(i)})
	}
	delivered := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := h.pop()
		u := &us[int(e.job)%users]
		u.lanes[1] = append(u.lanes[1], e.job) // a JobModification, low lane
		for u.busy < 4 && (u.head[0] < len(u.lanes[0]) || u.head[1] < len(u.lanes[1])) {
			lane := 1
			if u.head[0] < len(u.lanes[0]) {
				lane = 0
			}
			u.head[lane]++
			u.busy++
			delivered++ // the callback returns at once
			u.busy--
		}
		if u.head[1] == len(u.lanes[1]) {
			u.lanes[1], u.head[1] = u.lanes[1][:0], 0
		}
		h.push(minEvent{at: e.at + 1_000_000_000, job: e.job})
	}
	if delivered != b.N {
		b.Fatalf("delivered %d of %d", delivered, b.N)
	}
}

func BenchmarkMinimalLoop(b *testing.B) {
	b.Run("jobs=1k", func(b *testing.B) { benchMinimal(b, 1000) })
	b.Run("jobs=10k", func(b *testing.B) { benchMinimal(b, 10_000) })
	b.Run("jobs=100k", func(b *testing.B) { benchMinimal(b, 100_000) })
	b.Run("jobs=1M", func(b *testing.B) { benchMinimal(b, 1_000_000) })
}

// kernelFloor is MinimalLoop with the simulator's own fixed costs per
// notification, taken the way the scheduler takes them: the kernel's
// timer event per job, the invocation it launches run directly as the
// timer's handler ends when it is the next event (sim.World.TailSoon; a
// Soon event otherwise), the callback run inline on a virtual thread with
// its panics contained (sim.World.RunOnCatch), and the four packed trace
// records (job.progress, job.modified, call.begin, call.end) through the
// narrow appenders (trace.Log.AppendProgress, AppendCall, AppendEnd).
// It is not the floor: it shows how much of Dispatch is what any
// dispatcher in this kernel, writing this trace, pays, and how much is
// the dispatcher's own work (notify state, owed and pending bookkeeping,
// validity checks, the call pool).
type kernelFloor struct {
	w              *sim.World
	log            *trace.Log
	kTick, kInvoke sim.Kind
	users          []minUser
	ready          []int32
	head           int
	th             *sim.Thread
	jobs           []trace.Name
	user, client   trace.Name
	progress       trace.Name
	bytes          []int64
	calls          int64
	run            func()
	catch          func(any) bool
	cb             okCallback
}

func newKernelFloor(jobs int) *kernelFloor {
	f := &kernelFloor{w: sim.NewWorld(sim.NewPRNG(1), sim.Limits{MaxEvents: 1 << 62}), log: &trace.Log{}}
	f.users = make([]minUser, max(jobs/4, 1))
	f.bytes = make([]int64, jobs)
	f.user, f.client, f.progress = f.log.Name("user"), f.log.Name("app"), f.log.Name("progress")
	for i := range jobs {
		f.jobs = append(f.jobs, f.log.NewName("job-"+strconv.Itoa(i+1)))
	}
	f.kTick = f.w.Handle(func(ev sim.Event) { f.tick(ev.A) })
	f.kInvoke = f.w.Handle(func(sim.Event) { f.invoke() })
	f.th = f.w.NewThread("app/mta-1")
	f.run = func() { f.cb.JobModification(nil, 0) }
	f.catch = func(any) bool { return true }
	for i := range jobs {
		f.w.Schedule(time.Duration(i%1000)*time.Millisecond, 0, f.kTick, int64(i), 0)
	}
	return f
}

// tick is a job's transfer chunk: its progress, the JobModification it
// raises, a slot if one is free, and the next chunk a second later.
func (f *kernelFloor) tick(j int64) {
	now := f.w.Now()
	f.bytes[j] += 1 << 20
	f.log.AppendProgress(now, f.jobs[j], f.bytes[j], f.progress)
	u := &f.users[int(j)%len(f.users)]
	u.lanes[1] = append(u.lanes[1], int32(j))
	launched := 0
	for u.busy < 4 && u.head[1] < len(u.lanes[1]) {
		f.ready = append(f.ready, u.lanes[1][u.head[1]])
		u.head[1]++
		u.busy++
		launched++
	}
	if u.head[1] == len(u.lanes[1]) {
		u.lanes[1], u.head[1] = u.lanes[1][:0], 0
	}
	f.w.After(time.Second, 0, f.kTick, j, 0)
	if launched == 1 && f.w.TailSoon(2) {
		f.invoke()
		return
	}
	for range launched {
		f.w.Soon(2, f.kInvoke, 0, 0)
	}
}

// invoke runs the next launched call on the worker thread.
func (f *kernelFloor) invoke() {
	j := f.ready[f.head]
	if f.head++; f.head == len(f.ready) {
		f.ready, f.head = f.ready[:0], 0
	}
	f.calls++
	now := f.w.Now()
	f.log.AppendCall(now, trace.EvCallBegin, f.jobs[j], f.user, f.client, trace.JobModification, trace.LaneLow, f.calls, 0)
	f.w.RunOnCatch(f.th, f.run, f.catch)
	f.log.AppendEnd(now, trace.EvCallEnd, 0, f.calls, 0)
	f.users[int(j)%len(f.users)].busy--
}

func benchKernelFloor(b *testing.B, jobs int) {
	f := newKernelFloor(jobs)
	step := max(time.Second*1000/time.Duration(jobs), time.Millisecond)
	steps(b, f.w, f.log, step, func() bool { return f.w.Now() < 3*time.Second })
	b.ReportAllocs()
	b.ResetTimer()
	start := f.calls
	steps(b, f.w, f.log, step, func() bool { return f.calls-start < int64(b.N) })
	b.StopTimer()
	b.ReportMetric(float64(f.calls-start)/float64(b.N), "calls/op")
	f.w.Close()
}

func BenchmarkKernelFloor(b *testing.B) {
	bySize(b, benchKernelFloor)
}

// The obvious alternative: a goroutine per notification and a buffered
// channel of 4 per user as the slot semaphore. (testing/synctest would
// supply fake time, but synctest.Test takes a *testing.T, not a
// *testing.B; callbacks here return at once, so no time passes anyway.)
func BenchmarkGoroutinePerNotification(b *testing.B) {
	const users = 100
	sems := make([]chan struct{}, users)
	for i := range sems {
		sems[i] = make(chan struct{}, 4)
	}
	cb := okCallback{}
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			sems[u] <- struct{}{}
			cb.JobModification(nil, 0)
			<-sems[u]
		}(i % users)
	}
	wg.Wait()
}
