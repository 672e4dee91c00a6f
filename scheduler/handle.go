package scheduler

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/trace"
)

// caller is who calls a job method: a client process of a user (the
// context SetNotifyInterface and SetNotifyCmdLine record, G10), and the
// callback invocation the call is made from, if any.
type caller struct {
	client *Client
	user   *User
	call   *call
}

// JobRef is a job as one caller sees it: the Go shape of
// IBackgroundCopyJob (callbackabi.Job) plus the BITS 5 properties and the
// simulator's file-planning extension. Get one from Client.CreateJob,
// Client.GetJob or Client.Job; a callback receives one bound to the client
// it was delivered to, valid only until it returns (G35).
type JobRef struct {
	j *job
	c caller
}

var _ callbackabi.Job = (*JobRef)(nil)

// Name returns the job's trace id ("job-1").
func (r *JobRef) Name() string { return r.j.name() }

// enter checks that the caller may call at all. A callback that keeps its
// job argument past its return breaks G35; a dead process cannot call.
func (r *JobRef) enter() hr {
	if r.c.call != nil && !r.c.call.live {
		r.j.s.stats.ArgumentMisuse++
		return callbackabi.E_UNEXPECTED
	}
	if r.c.client != nil && !r.c.client.alive {
		return callbackabi.RPC_E_DISCONNECTED
	}
	return callbackabi.S_OK
}

// leave is the end of an outgoing COM call: on an STA thread, the wait for
// the reply pumps messages, so BITS may deliver a pending notification
// nested on this thread (G34).
func (r *JobRef) leave() {
	if r.c.call != nil {
		r.j.s.pumpSTA(r.c.call)
	}
}

func (r *JobRef) wine() bool { return r.j.s.opts.Profile == ProfileWineCompat }

// GetId returns the job's GUID.
func (r *JobRef) GetId() (callbackabi.GUID, hr) {
	if h := r.enter(); h != 0 {
		return callbackabi.GUID{}, h
	}
	defer r.leave()
	return r.j.guid(), callbackabi.S_OK
}

// GetType returns the job type.
func (r *JobRef) GetType() (callbackabi.JobType, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	return r.j.typ, callbackabi.S_OK
}

// GetDisplayName returns the display name.
func (r *JobRef) GetDisplayName() (string, hr) {
	if h := r.enter(); h != 0 {
		return "", h
	}
	defer r.leave()
	return r.j.display, callbackabi.S_OK
}

// Display and description lengths (modelling choice, docs/MODEL.md).
const (
	maxDisplayName = 256
	maxDescription = 1024
)

// SetDisplayName sets the display name (BG_E_STRING_TOO_LONG over 256
// characters; a JobModification trigger, G13).
func (r *JobRef) SetDisplayName(name string) hr {
	return r.setString(name, maxDisplayName, func(j *job) *string { return &j.display })
}

// GetDescription returns the description.
func (r *JobRef) GetDescription() (string, hr) {
	if h := r.enter(); h != 0 {
		return "", h
	}
	defer r.leave()
	return r.j.cold().description, callbackabi.S_OK
}

// SetDescription sets the description (at most 1024 characters).
func (r *JobRef) SetDescription(desc string) hr {
	return r.setString(desc, maxDescription, func(j *job) *string { return &j.ext().description })
}

// setString sets the string field dst returns (called only once the call
// is accepted: a refused one must not even allocate a job's cold part).
func (r *JobRef) setString(v string, limit int, dst func(*job) *string) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	if r.wine() {
		return callbackabi.E_NOTIMPL // W: SetDisplayName is a stub
	}
	if r.j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if utf8.RuneCountInString(v) > limit {
		return callbackabi.BG_E_STRING_TOO_LONG
	}
	*dst(r.j) = v
	r.j.modifiedBy("property")
	return callbackabi.S_OK
}

// GetOwner returns the owning user's name.
func (r *JobRef) GetOwner() (string, hr) {
	if h := r.enter(); h != 0 {
		return "", h
	}
	defer r.leave()
	return r.j.owner.name, callbackabi.S_OK
}

// GetProgress returns BG_JOB_PROGRESS (G50).
func (r *JobRef) GetProgress() (callbackabi.JobProgress, hr) {
	if h := r.enter(); h != 0 {
		return callbackabi.JobProgress{}, h
	}
	defer r.leave()
	return r.j.progress(), callbackabi.S_OK
}

// GetTimes returns creation, modification and transfer-completion times
// in virtual time.
func (r *JobRef) GetTimes() (callbackabi.JobTimes, hr) {
	if h := r.enter(); h != 0 {
		return callbackabi.JobTimes{}, h
	}
	defer r.leave()
	at := func(d time.Duration) time.Time { return epoch.Add(d) }
	t := callbackabi.JobTimes{CreationTime: at(r.j.created), ModificationTime: at(r.j.modified)}
	if done := r.j.cold().completed; done > 0 || r.j.state == stTransferred {
		t.TransferCompletionTime = at(done)
	}
	return t, callbackabi.S_OK
}

// GetState returns the job state.
func (r *JobRef) GetState() (callbackabi.JobState, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	return r.j.state, callbackabi.S_OK
}

// GetError returns the error object while the job is in ERROR or
// TRANSIENT_ERROR, else BG_E_ERROR_INFORMATION_UNAVAILABLE (G49).
func (r *JobRef) GetError() (callbackabi.Error, hr) {
	if h := r.enter(); h != 0 {
		return nil, h
	}
	defer r.leave()
	j := r.j
	if j.err == nil || (j.state != stError && j.state != stTransient) {
		return nil, callbackabi.BG_E_ERROR_INFORMATION_UNAVAILABLE
	}
	return &errorObj{j: j, e: *j.err}, callbackabi.S_OK
}

// GetErrorCount returns how many errors the job has had.
func (r *JobRef) GetErrorCount() (uint32, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	return r.j.errorCount, callbackabi.S_OK
}

// GetPriority returns the priority (E_NOTIMPL under WineCompat, W-8).
func (r *JobRef) GetPriority() (callbackabi.JobPriority, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	if r.wine() {
		return 0, callbackabi.E_NOTIMPL
	}
	return r.j.prio, callbackabi.S_OK
}

// SetPriority sets the priority (G47); E_NOTIMPL for an unknown value.
func (r *JobRef) SetPriority(p callbackabi.JobPriority) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if p > callbackabi.BG_JOB_PRIORITY_LOW {
		return callbackabi.E_NOTIMPL
	}
	if r.wine() {
		return callbackabi.S_OK // W-8: a stub
	}
	if j.prio != p {
		j.prio = p
		j.s.track(j)
		j.modifiedBy("property")
		j.s.reschedule()
	}
	return callbackabi.S_OK
}

// AddFile adds a file. Its server is planned by the Service's Server hook
// (SetServer) when one is set; otherwise it is a 1 MiB file served with full
// HTTP support. Either way remoteURL and localName are the caller's, and
// validation and results are those of AddFileSpec.
func (r *JobRef) AddFile(remoteURL, localName string) hr {
	spec := FileSpec{Size: 1 << 20}
	if srv := r.j.s.fileSrv; srv != nil && r.accepts(remoteURL, localName) {
		// Only a file AddFileSpec will accept is planned, so the hook is
		// asked once per file the job really gets.
		spec = srv(remoteURL, r.j.typ)
	}
	spec.RemoteURL, spec.LocalName = remoteURL, localName
	return r.AddFileSpec(spec)
}

// AddFileSpec adds a file together with the planned behaviour of its
// server (size, HEAD and range support, failures).
func (r *JobRef) AddFileSpec(spec FileSpec) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if !j.validRemote(spec.RemoteURL) || spec.LocalName == "" {
		return callbackabi.E_INVALIDARG
	}
	for _, f := range spec.Failures {
		if f.HR >= 0 || f.Times < 0 || f.ErrorObjectHR > 0 || f.ErrorFileHR > 0 {
			return callbackabi.E_INVALIDARG
		}
	}
	if j.typ != callbackabi.BG_JOB_TYPE_DOWNLOAD && len(j.files) >= 1 {
		return callbackabi.BG_E_TOO_MANY_FILES
	}
	if j.s.opts.EnforcePolicyLimits && !j.owner.exempt() && len(j.files) >= callbackabi.MaxFilesPerJob {
		return callbackabi.BG_E_TOO_MANY_FILES_IN_JOB
	}
	spec.Failures = append([]Failure(nil), spec.Failures...)
	f := &j.file0
	if len(j.files) > 0 {
		f = new(file)
	}
	*f = file{spec: spec, renameFails: int32(min(spec.RenameFails, math.MaxInt32)), deleteFails: spec.DeleteFails}
	f.fails = make([]int, len(spec.Failures))
	for i, fl := range spec.Failures {
		f.fails[i] = max(fl.Times, 1)
	}
	j.files = append(j.files, f)
	j.modifiedBy("file-added")
	return callbackabi.S_OK
}

// accepts reports whether AddFileSpec would add a file with these names
// (without counting anything: AddFileSpec itself judges the call).
func (r *JobRef) accepts(remoteURL, localName string) bool {
	j := r.j
	switch {
	case r.c.call != nil && !r.c.call.live, r.c.client != nil && !r.c.client.alive,
		j.state.Final(), !j.validRemote(remoteURL), localName == "",
		j.typ != callbackabi.BG_JOB_TYPE_DOWNLOAD && len(j.files) >= 1,
		j.s.opts.EnforcePolicyLimits && !j.owner.exempt() && len(j.files) >= callbackabi.MaxFilesPerJob:
		return false
	}
	return true
}

// Remote names (S-FI, the BG_FILE_INFO page): "the name of the file on the
// server (for example, http://<server>/<path>/file.ext)"; and "You can use
// SMB to express the remote name of the file to download or upload; there
// is no SMB support for upload-reply jobs. You can specify the remote name
// as a UNC path, full path with a network drive, or use the "file://"
// prefix. BITS 1.5 and earlier: The SMB protocol for RemoteName is not
// supported." The URL is limited to 2,200 characters.
const maxRemoteName = 2200

// remoteProtocol names the protocol of a remote name: "http" for http://
// and https:// URLs with something after the scheme, "smb" for a UNC path
// (\\server\share\…), a file:// URL or a full path with a drive letter
// (C:\dir\f.tmp, a network drive or, as Windows accepts, a local one),
// and "" for anything else (ftp://, a relative path, an empty name).
func remoteProtocol(u string) string {
	l := strings.ToLower(u)
	for _, p := range []string{"http://", "https://"} {
		if strings.HasPrefix(l, p) && len(u) > len(p) {
			return "http"
		}
	}
	switch {
	case strings.HasPrefix(u, `\\`) && len(u) > 2:
		return "smb"
	case strings.HasPrefix(l, "file://") && len(u) > len("file://"):
		return "smb"
	case len(u) > 3 && (u[0]|0x20 >= 'a' && u[0]|0x20 <= 'z') && u[1] == ':' && (u[2] == '\\' || u[2] == '/'):
		return "smb"
	}
	return ""
}

// validRemote reports whether j accepts remote as a file's remote name:
// HTTP(S) always; SMB (UNC, file://, a drive path) from BITS 2.0 on, and
// not for upload-reply jobs (S-FI). Anything else is E_INVALIDARG.
func (j *job) validRemote(remote string) bool {
	if len(remote) > maxRemoteName {
		return false
	}
	switch remoteProtocol(remote) {
	case "http":
		return true
	case "smb":
		return j.s.opts.Version.AtLeast(2, 0) && j.typ != callbackabi.BG_JOB_TYPE_UPLOAD_REPLY
	}
	return false
}

// EnumFiles returns the job's files.
func (r *JobRef) EnumFiles() ([]callbackabi.File, hr) {
	if h := r.enter(); h != 0 {
		return nil, h
	}
	defer r.leave()
	out := make([]callbackabi.File, len(r.j.files))
	for i := range r.j.files {
		out[i] = &fileObj{j: r.j, i: i}
	}
	return out, callbackabi.S_OK
}

// Resume per G38 and table 2.10.
func (r *JobRef) Resume() hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	s := j.s
	switch j.state {
	case stAcknowledged, stCancelled:
		return callbackabi.BG_E_INVALID_STATE
	case stQueued, stConnecting, stTransferring:
		j.resetDownloadTime(s.now())
		return callbackabi.S_OK
	}
	if len(j.files) == 0 || j.state == stTransferred && j.allDone() {
		return callbackabi.BG_E_EMPTY
	}
	if r.wine() && j.allDone() {
		return callbackabi.BG_E_EMPTY
	}
	j.resetDownloadTime(s.now())
	j.queuedAt = s.nextQueued()
	j.setState(stQueued)
	s.reschedule()
	return callbackabi.S_OK
}

// Suspend per G39 (E_NOTIMPL under WineCompat).
func (r *JobRef) Suspend() hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	if r.wine() {
		return callbackabi.E_NOTIMPL
	}
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	j.setState(stSuspended)
	j.s.reschedule()
	return callbackabi.S_OK
}

// Cancel per G40.
func (r *JobRef) Cancel() hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	res := j.deleteResult(callbackabi.S_OK)
	j.s.cancelUpload(j)
	j.setState(stCancelled)
	j.s.reschedule()
	return res
}

// deleteResult is res, or BG_S_UNABLE_TO_DELETE_FILES when a temporary
// file of the job cannot be deleted (G40, G41).
func (j *job) deleteResult(res hr) hr {
	for _, f := range j.files {
		if f.deleteFails {
			return callbackabi.BG_S_UNABLE_TO_DELETE_FILES
		}
	}
	return res
}

// Complete per G41: download jobs in any non-final state; upload jobs only
// in TRANSFERRED; a failed rename returns an error and leaves the job as it
// was (ambiguity 16).
func (r *JobRef) Complete() hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if r.wine() {
		// W-10: always ACKNOWLEDGED, even for a CANCELLED job (breaks G42).
		res := callbackabi.S_OK
		if j.state.Final() {
			res = callbackabi.BG_E_INVALID_STATE
		}
		if !j.allDone() && res == callbackabi.S_OK {
			res = callbackabi.BG_S_PARTIAL_COMPLETE
		}
		if j.state != stAcknowledged {
			j.setState(stAcknowledged)
		}
		j.s.reschedule()
		return res
	}
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if j.typ != callbackabi.BG_JOB_TYPE_DOWNLOAD && j.state != stTransferred {
		return callbackabi.BG_E_INVALID_STATE
	}
	for _, f := range j.files {
		if f.done && f.renameFails > 0 {
			f.renameFails--
			return callbackabi.E_ACCESSDENIED
		}
	}
	res := callbackabi.S_OK
	for _, f := range j.files {
		if f.done {
			f.completed = true
		} else {
			res = callbackabi.BG_S_PARTIAL_COMPLETE
		}
	}
	if res == callbackabi.S_OK {
		res = j.deleteResult(res)
	}
	j.setState(stAcknowledged)
	j.s.reschedule()
	return res
}

// TakeOwnership makes the calling administrator the owner (E_ACCESSDENIED
// for anyone else). Callbacks keep running as the registering user and
// the command line is removed (G10).
func (r *JobRef) TakeOwnership() hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if r.wine() {
		return callbackabi.E_NOTIMPL
	}
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if !r.c.user.admin {
		return callbackabi.E_ACCESSDENIED
	}
	if j.owner != r.c.user {
		j.owner.jobs--
		j.owner = r.c.user
		j.owner.jobs++
		// A job held QUEUED because its owner logged off may transfer now
		// that its owner is the administrator, who is logged on.
		if j.state == stQueued && j.s.foreground(j) {
			j.s.fgStart = append(j.s.fgStart, j)
		}
		defer j.s.reschedule()
	}
	j.s.rec(trace.Record{Ev: trace.EvJobOwner, Job: j.name(), User: j.owner.name})
	if j.cold().cmd.set {
		j.x.cmd = cmdLine{}
		j.s.rec(trace.Record{Ev: trace.EvJobCmdline, Job: j.name()})
	}
	j.modifiedBy("property")
	j.s.evaluate(j)
	return callbackabi.S_OK
}

// GetNotifyFlags returns the flags (default JOB_TRANSFERRED|JOB_ERROR, G1).
func (r *JobRef) GetNotifyFlags() (callbackabi.NotifyFlags, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	return r.j.flags, callbackabi.S_OK
}

// SetNotifyFlags per G2, G3, G6: E_NOTIMPL for an undefined bit (and for
// FILE_RANGES_TRANSFERRED before BITS 10.1 or under WineCompat).
func (r *JobRef) SetNotifyFlags(flags callbackabi.NotifyFlags) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	valid := callbackabi.NotifyFlagsValid
	if r.wine() || !j.s.opts.Version.AtLeast(10, 1) {
		valid &^= callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED
	}
	if flags&^valid != 0 {
		return callbackabi.E_NOTIMPL
	}
	j.flags = flags
	j.s.rec(trace.Record{Ev: trace.EvJobFlags, Job: j.name(), Flags: flags})
	j.modifiedBy("property")
	j.s.evaluate(j)
	return callbackabi.S_OK
}

// GetNotifyInterface returns the registered callback, or nil (G1).
func (r *JobRef) GetNotifyInterface() (callbackabi.Callback, hr) {
	if h := r.enter(); h != 0 {
		return nil, h
	}
	defer r.leave()
	return r.j.reg.cb, callbackabi.S_OK
}

// SetNotifyInterface registers cb for the calling client and user, or
// clears the registration when cb is nil (G7, G8, G10, G18, G19).
func (r *JobRef) SetNotifyInterface(cb callbackabi.Callback) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if cb != nil && r.c.client == nil {
		return callbackabi.E_INVALIDARG // only a client process can receive calls
	}
	j.s.register(j, cb, r.c.client, r.c.user)
	return callbackabi.S_OK
}

// GetMinimumRetryDelay in seconds (30 under WineCompat, W-9).
func (r *JobRef) GetMinimumRetryDelay() (uint32, hr) {
	return r.seconds(30, func(j *job) time.Duration { return j.cold().retryDelay })
}

// SetMinimumRetryDelay per G45: values below 5 s are raised to 5 s.
func (r *JobRef) SetMinimumRetryDelay(seconds uint32) hr {
	return r.setTimer(func(j *job) {
		d := max(time.Duration(seconds)*time.Second, callbackabi.MinimumMinimumRetryDelay)
		j.ext().retryDelay = d
		j.s.rec(trace.Record{Ev: trace.EvJobRetryDelay, Job: j.name(), Delay: d})
	})
}

// GetNoProgressTimeout in seconds (900 under WineCompat, W-9).
func (r *JobRef) GetNoProgressTimeout() (uint32, hr) {
	return r.seconds(900, func(j *job) time.Duration { return j.cold().noProgress })
}

// SetNoProgressTimeout per G46 (0: every error goes straight to ERROR).
func (r *JobRef) SetNoProgressTimeout(seconds uint32) hr {
	return r.setTimer(func(j *job) { j.ext().noProgress = time.Duration(seconds) * time.Second })
}

// seconds is the common part of the timer getters: the value in whole
// seconds, or Wine's constant under WineCompat (W-9).
func (r *JobRef) seconds(wine uint32, get func(j *job) time.Duration) (uint32, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	if r.wine() {
		return wine, callbackabi.S_OK
	}
	return uint32(get(r.j) / time.Second), callbackabi.S_OK
}

// setTimer is the common part of the timer setters: BG_E_INVALID_STATE in
// a final state (G6), a no-op S_OK under WineCompat (W-9), else set and
// raise JobModification (G13).
func (r *JobRef) setTimer(set func(j *job)) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if r.wine() {
		return callbackabi.S_OK
	}
	set(j)
	j.modifiedBy("property")
	return callbackabi.S_OK
}

// SetNotifyCmdLine per G24–G30. The program is never executed: its
// behaviour comes from Service.SetProgram.
func (r *JobRef) SetNotifyCmdLine(program, parameters string) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if r.wine() || !j.s.opts.Version.AtLeast(1, 5) {
		return callbackabi.E_NOTIMPL // W-6
	}
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	if utf8.RuneCountInString(program) > callbackabi.MaxCmdLineProgram || utf8.RuneCountInString(parameters) > callbackabi.MaxCmdLineParameters {
		return callbackabi.BG_E_STRING_TOO_LONG
	}
	if program == "" && parameters != "" {
		return callbackabi.E_INVALIDARG
	}
	if program == "" {
		if j.x != nil {
			j.x.cmd = cmdLine{}
		}
		j.s.rec(trace.Record{Ev: trace.EvJobCmdline, Job: j.name()})
	} else if j.owner.svc && !j.s.opts.Mutants.Has(mutant.ServiceCmdLine) {
		// G30: no notification program runs for a service account's job;
		// the command line is kept for GetNotifyCmdLine only.
		j.ext().cmd = cmdLine{program: program, params: parameters, user: r.c.user}
	} else {
		j.ext().cmd = cmdLine{set: true, program: program, params: parameters, user: r.c.user}
		j.s.rec(trace.Record{Ev: trace.EvJobCmdline, Job: j.name(), User: r.c.user.name})
	}
	j.s.evaluate(j)
	return callbackabi.S_OK
}

// GetNotifyCmdLine returns the program and parameters ("" before any
// SetNotifyCmdLine, G1).
func (r *JobRef) GetNotifyCmdLine() (string, string, hr) {
	if h := r.enter(); h != 0 {
		return "", "", h
	}
	defer r.leave()
	if r.wine() {
		return "", "", callbackabi.E_NOTIMPL
	}
	cmd := r.j.cold().cmd
	return cmd.program, cmd.params, callbackabi.S_OK
}

// SetNotifyCLSID is IBackgroundCopyJob5::SetProperty(
// BITS_JOB_PROPERTY_NOTIFICATION_CLSID): BITS activates this COM server
// when no registered object can take a notification (G9). GUID_NULL
// clears it. BITS 5.0 and later.
func (r *JobRef) SetNotifyCLSID(clsid callbackabi.GUID) hr {
	return r.setProperty(5, 0, func(j *job) hr {
		x := j.ext()
		x.clsid = clsid
		x.clsidBy = r.c.user
		j.modifiedBy("property")
		j.s.evaluate(j)
		return callbackabi.S_OK
	})
}

// SetMinimumNotificationInterval is SetProperty(
// BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS) (G14; BITS 5.0).
func (r *JobRef) SetMinimumNotificationInterval(d time.Duration) hr {
	return r.setProperty(5, 0, func(j *job) hr {
		if d < 0 {
			return callbackabi.E_INVALIDARG
		}
		j.minNote = d
		return callbackabi.S_OK
	})
}

// SetOnDemand is SetProperty(BITS_JOB_PROPERTY_ON_DEMAND_MODE): the job
// may produce FileRangesTransferred (G4, G16; BITS 10.1).
func (r *JobRef) SetOnDemand(on bool) hr {
	return r.setProperty(10, 1, func(j *job) hr {
		if j.typ != callbackabi.BG_JOB_TYPE_DOWNLOAD {
			return callbackabi.E_INVALIDARG
		}
		j.onDemand = on
		return callbackabi.S_OK
	})
}

// setProperty is the common part of the IBackgroundCopyJob5::SetProperty
// setters: E_NOTIMPL before BITS major.minor (and under WineCompat),
// BG_E_INVALID_STATE in a final state (G6), else set.
func (r *JobRef) setProperty(major, minor int, set func(j *job) hr) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if r.wine() || !j.s.opts.Version.AtLeast(major, minor) {
		return callbackabi.E_NOTIMPL
	}
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	return set(j)
}
