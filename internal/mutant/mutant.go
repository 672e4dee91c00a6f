// Package mutant names the deliberately broken dispatcher behaviours that
// bitsim's tests plant to prove that each guarantee property can fail
// (DESIGN.md: "Every property is proven able to fail"). It is internal so
// that only this module's tests can switch a mutant on.
package mutant

// Set is a bit set of mutants; the zero value is the correct dispatcher.
type Set uint32

// Each mutant breaks exactly one documented rule.
const (
	LanesSwapped      Set = 1 << iota // low lane served before high (breaks G32)
	NoRetry                           // a failed JT/JE is never retried (breaks G20)
	NoRearmLate                       // a late registration does not make JT/JE owed (breaks G18)
	IgnoreDisable                     // BG_NOTIFY_DISABLE is ignored (breaks G3)
	FTAfterJT                         // JT may be dispatched while FileTransferred is owed (breaks G15/G33)
	JMOnTransferred                   // entering TRANSFERRED/ERROR raises JobModification (breaks G13)
	DeadClientSuccess                 // a call to a crashed client is reported as S_OK (breaks G7/G23)
	RetryAfterSuccess                 // JT is delivered again after S_OK (breaks G19/G20 at-most-needed)
	NoThrottle                        // JobModification interval ignored (breaks G14)
	STAParallel                       // an STA client's calls run side by side on several threads (breaks G34)
	OwnerContext                      // callbacks run as the job owner after TakeOwnership (breaks G10)
	CmdlineNoDelay                    // command line relaunched without the minimum retry delay (breaks G27)
	CapFive                           // five calls in flight per user while the trace says four (breaks G31)
	SlowDelivery                      // an owed JT/JE waits a retry delay though a slot is free (breaks bounded delivery, G18)

	// Re-creations of bugs a long sweep found (issue 11), kept so that
	// the tests that pin their fixes can show they would catch them.
	CmdlineKeepsTakeover     // a notification the command line took over stays with it after the command line is removed (seed 402; breaks G28)
	CmdlineOKForgotten       // a program's exit 0 does not count while the notification is not owed at that moment (seeds 696554, 1451969; breaks G27)
	CmdlineYields            // a program that exited non-zero waits for the callback's retries instead of running again (seeds 392234, 574486, 1496423; breaks G27)
	StaleQueued              // a dispatch queued for an earlier registration stands in for the new registration's (seed 580079; breaks G18)
	FailWhileDisabledIgnored // a JT/JE that fails while its flag is off does not hand over to the command line (seeds 2064397, 2613190, 4065586, 4131770; breaks G26)
	StaleJEBeforeFT          // a JobTransferred/JobError call that took its slot before the job left the state begins after it re-entered it, ahead of a FileTransferred owed meanwhile (aimed-slots seed 6065; breaks G15/G33)
	StaleEntryQueued         // a JT/JE dispatch queued in an earlier state entry of the job stands in for the current entry's (portfolio on aimed-cmdline; breaks G18)
	UnregisterQuiet          // clearing the registration does not hand what the job owes to the command line until something else re-evaluates the job (aimed-cmdline seeds 138283, 193177; breaks G28)

	FRTHighLane        // FileRangesTransferred dispatched in the high lane (breaks G32; the trace records the lane really used)
	JMNoCoalesce       // every JobModification trigger while one waits for a slot queues a call of its own (breaks G14, G22)
	ServiceCmdLine     // a job owned by a service account runs its notification program (breaks G30)
	NetworkBackIgnored // the network coming back leaves the TRANSIENT_ERROR jobs to wait for their retry delay (breaks G44)
	QueuedLowOnly      // a high-lane dispatch finding the slots full writes call.queued for the low-lane calls launched at this instant but not for the high-lane calls launched before them (aimed-slots seeds 295996, 315229, 497093; breaks G32)
)

// Has reports whether m is switched on in s.
func (s Set) Has(m Set) bool { return s&m != 0 }
