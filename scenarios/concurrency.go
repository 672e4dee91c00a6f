package scenarios

import (
	"sync/atomic"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
)

func init() {
	register(Scenario{
		Name:    "four-slot-starvation",
		Summary: "four slow callbacks of one app block alice's other app; bob is not affected",
		Teaches: "BITS runs at most four notifications at once per user, across all of that user's applications " +
			"(G31). alice's app-a keeps four JobTransferred calls busy for 5 minutes; alice's app-b's job transfers " +
			"meanwhile and its JobTransferred waits (slot.wait) until a slot frees. bob's job, in another user's " +
			"slots, is notified at once.",
		Rules: []string{"G31", "G32"},
		Run: func(seed uint64) (Result, error) {
			return Run("four-slot-starvation", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				bob := e.Svc.AddUser("bob", false)
				appA := e.Svc.StartClient("app-a", alice, scheduler.MTA)
				appB := e.Svc.StartClient("app-b", alice, scheduler.MTA)
				appC := e.Svc.StartClient("app-c", bob, scheduler.MTA)
				holdSlots(e, appA, 4, 5*time.Minute)
				e.At(30*time.Second, func() {
					startForeground(newJob(appB, "urgent", fileSpec("fix.msu", 1*mb)), 0, &Funcs{Transferred: completeOnTransfer})
					startForeground(newJob(appC, "bob's", fileSpec("song.mp3", 1*mb)), 0, &Funcs{Transferred: completeOnTransfer})
				})
			})
		},
	})

	register(Scenario{
		Name:    "modification-overtaken",
		Summary: "a JobTransferred launched after pending JobModifications reaches the client first",
		Teaches: "JobModification runs on low-priority threads, JobTransferred and JobError on high-priority ones " +
			"(G32). With all four of alice's slots busy, JobModification calls queue in the low lane; when the job " +
			"then transfers, its JobTransferred queues in the high lane and takes the next free slot first, " +
			"overtaking the older JobModification.",
		Rules: []string{"G32", "G31", "G13", "G14"},
		Run: func(seed uint64) (Result, error) {
			return Run("modification-overtaken", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				busy := e.Svc.StartClient("app-busy", alice, scheduler.MTA)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				holdSlots(e, busy, 4, 20*time.Second)
				e.At(2*time.Second, func() {
					// JobTransferred leaves the job TRANSFERRED for a while, so the
					// overtaken JobModification still has a registration to go to.
					j := newJob(app, "watched", fileSpec("movie.mkv", 30*mb))
					startForeground(j, jmFlags, &Funcs{})
					e.At(60*time.Second, func() { must(j.Complete()) })
				})
			})
		},
	})

	register(Scenario{
		Name:    "sta-reentrancy",
		Summary: "an STA client's JobModification is re-entered while it calls GetProgress; the seed's guard drops it",
		Teaches: "In a single-threaded apartment, a callback that makes a COM call (GetProgress) pumps messages " +
			"while it waits, so BITS can deliver the next JobModification nested on the same thread (G34; call.begin " +
			"with a parent). app-plain has no guard and processes the nested call; app-guarded uses the seed's " +
			"InterlockedCompareExchange guard and returns S_OK at once from the nested call.",
		Rules: []string{"G34", "G14", "G13"},
		Run: func(seed uint64) (Result, error) {
			return Run("sta-reentrancy", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				clock := e.Clock
				for _, guarded := range []bool{false, true} {
					name := "app-plain"
					if guarded {
						name = "app-guarded"
					}
					app := e.Svc.StartClient(name, alice, scheduler.STA)
					var pending atomic.Int32 // the seed's m_PendingJobModificationCount
					cb := &Funcs{Transferred: completeOnTransfer, Modification: func(j callbackabi.Job) callbackabi.HRESULT {
						if guarded && !pending.CompareAndSwap(0, 1) {
							return callbackabi.S_OK // already processing: ignore this one
						}
						clock.Sleep(1500 * time.Millisecond) // work that does not pump
						j.GetProgress()                      // an outgoing COM call: pumps, may re-enter
						clock.Sleep(500 * time.Millisecond)
						if guarded {
							pending.Store(0)
						}
						return callbackabi.S_OK
					}}
					startForeground(newJob(app, name+" download", fileSpec("dataset.zip", 60*mb)), jmFlags, cb)
				}
			})
		},
	})

	register(Scenario{
		Name:    "file-transferred-order",
		Summary: "FileTransferred per file, one at a time, all before JobTransferred; a failed one is retried",
		Teaches: "An IBackgroundCopyCallback2 object registered with BG_NOTIFY_FILE_TRANSFERRED gets one " +
			"FileTransferred per file (G15), serialized per job, and every one before JobTransferred (G33). The " +
			"second file's first FileTransferred returns E_FAIL: BITS calls it again after the retry delay (G21), " +
			"and JobTransferred waits for it.",
		Rules: []string{"G15", "G21", "G33", "G4"},
		Run: func(seed uint64) (Result, error) {
			return Run("file-transferred-order", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "three files", fileSpec("one.dat", 2*mb), fileSpec("two.dat", 2*mb), fileSpec("three.dat", 2*mb))
				must(job.SetMinimumRetryDelay(5))
				failedOnce := false
				must(job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR | callbackabi.BG_NOTIFY_FILE_TRANSFERRED))
				must(job.SetNotifyInterface(&Funcs{
					Transferred: completeOnTransfer,
					FileDone: func(j callbackabi.Job, f callbackabi.File) callbackabi.HRESULT {
						name, _ := f.GetRemoteName()
						if name == "http://updates.example/two.dat" && !failedOnce {
							failedOnce = true
							return callbackabi.E_FAIL
						}
						return callbackabi.S_OK
					},
				}))
				must(job.Resume())
			})
		},
	})
}
