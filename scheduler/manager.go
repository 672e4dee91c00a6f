package scheduler

import (
	"github.com/bitsim/bitsim/callbackabi"
)

// CreateJob is IBackgroundCopyManager::CreateJob for this client's user.
// The new job is SUSPENDED with no files (G37). Policy limits (S-GP) apply
// to non-administrators when Options.EnforcePolicyLimits is on.
func (c *Client) CreateJob(display string, typ callbackabi.JobType) (*JobRef, callbackabi.HRESULT) {
	if !c.alive {
		return nil, callbackabi.RPC_E_DISCONNECTED
	}
	if typ > callbackabi.BG_JOB_TYPE_UPLOAD_REPLY {
		return nil, callbackabi.E_INVALIDARG
	}
	if len([]rune(display)) > maxDisplayName {
		return nil, callbackabi.BG_E_STRING_TOO_LONG
	}
	s := c.s
	if s.opts.EnforcePolicyLimits && !c.user.exempt() {
		mine, all := s.cancelsPending(c.user)
		if c.user.jobs+mine >= callbackabi.MaxJobsPerUser {
			return nil, callbackabi.BG_E_TOO_MANY_JOBS_PER_USER
		}
		if s.liveJobs+all >= callbackabi.MaxJobsPerMachine {
			return nil, callbackabi.BG_E_TOO_MANY_JOBS_PER_MACHINE
		}
	}
	j := s.newJob(c.user, display, typ)
	return &JobRef{j: j, c: caller{client: c, user: c.user}}, callbackabi.S_OK
}

// GetJob is IBackgroundCopyManager::GetJob: BG_E_NOT_FOUND for an unknown
// or final job (G42), E_ACCESSDENIED for another user's job unless the
// caller is an administrator.
func (c *Client) GetJob(id callbackabi.GUID) (*JobRef, callbackabi.HRESULT) {
	if !c.alive {
		return nil, callbackabi.RPC_E_DISCONNECTED
	}
	for j := range c.s.eachJob {
		if j.guid() != id {
			continue
		}
		if j.state.Final() {
			return nil, callbackabi.BG_E_NOT_FOUND
		}
		if j.owner != c.user && !c.user.admin {
			return nil, callbackabi.E_ACCESSDENIED
		}
		return &JobRef{j: j, c: caller{client: c, user: c.user}}, callbackabi.S_OK
	}
	return nil, callbackabi.BG_E_NOT_FOUND
}

// Job returns r as this client sees it (the same job, called from this
// process). Handy after a restart: newClient.Job(oldRef).SetNotifyInterface.
func (c *Client) Job(r *JobRef) *JobRef {
	return &JobRef{j: r.j, c: caller{client: c, user: c.user}}
}

// EnumJobs lists the caller's non-final jobs in creation order; all=true
// (BG_JOB_ENUM_ALL_USERS) needs an administrator.
func (c *Client) EnumJobs(all bool) ([]*JobRef, callbackabi.HRESULT) {
	if !c.alive {
		return nil, callbackabi.RPC_E_DISCONNECTED
	}
	if all && !c.user.admin {
		return nil, callbackabi.E_ACCESSDENIED
	}
	var out []*JobRef
	for j := range c.s.eachJob {
		if j.state.Final() || (!all && j.owner != c.user) {
			continue
		}
		out = append(out, &JobRef{j: j, c: caller{client: c, user: c.user}})
	}
	return out, callbackabi.S_OK
}
