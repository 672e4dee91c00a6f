package scheduler_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// SetServer: AddFile takes the server's plan from the hook, keeps its own
// names, asks the hook only for files it accepts, and answers as before.
func TestSetServer(t *testing.T) {
	s := newSTWorld(t)
	type ask struct {
		url string
		typ abi.JobType
	}
	var asked []ask
	s.svc.SetServer(func(remote string, typ abi.JobType) scheduler.FileSpec {
		asked = append(asked, ask{remote, typ})
		return scheduler.FileSpec{RemoteURL: "http://ignored/", LocalName: "ignored", Size: 3 * stMB, NoHeadSize: true,
			Failures: []scheduler.Failure{scheduler.HTTPError(404)}}
	})
	j, _ := s.app.CreateJob("hooked", tDownload)
	require.Equal(t, abi.E_INVALIDARG, j.AddFile("ftp://x/y", `C:\y`), "validation unchanged")
	require.Equal(t, abi.E_INVALIDARG, j.AddFile("http://x/y", ""), "validation unchanged")
	require.Empty(t, asked, "the hook is not asked for a file AddFile refuses")
	require.Equal(t, abi.S_OK, j.AddFile("http://srv/a.bin", `C:\a.bin`))
	require.Equal(t, []ask{{"http://srv/a.bin", tDownload}}, asked)
	files, _ := j.EnumFiles()
	remote, _ := files[0].GetRemoteName()
	local, _ := files[0].GetLocalName()
	require.Equal(t, "http://srv/a.bin", remote)
	require.Equal(t, `C:\a.bin`, local)
	p, _ := files[0].GetProgress()
	require.Equal(t, abi.BG_SIZE_UNKNOWN, p.BytesTotal, "NoHeadSize came from the hook")
	require.Equal(t, abi.S_OK, j.Resume())
	s.advance(time.Second)
	s.requireState(j, sError, "the hook's planned 404")
	e, _ := j.GetError()
	_, code, _ := e.GetError()
	require.Equal(t, abi.BG_E_HTTP_ERROR(404), code)

	up, _ := s.app.CreateJob("upload", tUploadReply)
	require.Equal(t, abi.S_OK, up.AddFile("http://srv/u", `C:\u`))
	require.Equal(t, abi.BG_E_TOO_MANY_FILES, up.AddFile("http://srv/u2", `C:\u2`))
	require.Equal(t, []ask{{"http://srv/a.bin", tDownload}, {"http://srv/u", tUploadReply}}, asked, "the job type is passed; a refused second file is not asked")

	require.Equal(t, abi.S_OK, j.Cancel())
	require.Equal(t, abi.BG_E_INVALID_STATE, j.AddFile("http://srv/b", `C:\b`))
	require.Len(t, asked, 2, "a cancelled job's AddFile is not planned")

	s.svc.SetServer(nil)
	d, _ := s.app.CreateJob("default", tDownload)
	require.Equal(t, abi.S_OK, d.AddFile("http://srv/c", `C:\c`))
	require.Equal(t, abi.S_OK, d.Resume())
	s.advance(time.Second)
	p2, _ := d.GetProgress()
	require.Equal(t, uint64(1<<20), p2.BytesTotal, "nil restores the 1 MiB default")
}

// A broken error object (Failure.ErrorObjectHR / ErrorFileHR, a fault
// injection): in JobError and through GetError, each method answers the
// planned HRESULT; an intact one answers S_OK.
func TestBrokenErrorObject(t *testing.T) {
	type result struct {
		GetError, GetFile, Desc, CtxDesc, Protocol, FileProgress hresult
	}
	cases := []struct {
		name    string
		objHR   hresult
		fileHR  hresult
		want    result
		noFile  bool // GetFile fails, so there is no file to ask
		transit bool
	}{
		{name: "intact", want: result{}},
		{name: "object-disconnected", objHR: abi.RPC_E_DISCONNECTED, noFile: true,
			want: result{abi.RPC_E_DISCONNECTED, abi.RPC_E_DISCONNECTED, abi.RPC_E_DISCONNECTED, abi.RPC_E_DISCONNECTED, abi.RPC_E_DISCONNECTED, 0}},
		{name: "object-outofmemory-transient", objHR: abi.E_OUTOFMEMORY, noFile: true, transit: true,
			want: result{abi.E_OUTOFMEMORY, abi.E_OUTOFMEMORY, abi.E_OUTOFMEMORY, abi.E_OUTOFMEMORY, abi.E_OUTOFMEMORY, 0}},
		{name: "file-progress-fails", fileHR: abi.RPC_E_DISCONNECTED,
			want: result{FileProgress: abi.RPC_E_DISCONNECTED}},
		{name: "object-wins-over-file", objHR: abi.E_FAIL, fileHR: abi.RPC_E_DISCONNECTED, noFile: true,
			want: result{abi.E_FAIL, abi.E_FAIL, abi.E_FAIL, abi.E_FAIL, abi.E_FAIL, 0}},
	}
	probe := func(e abi.Error) result {
		var r result
		_, _, r.GetError = e.GetError()
		var f abi.File
		f, r.GetFile = e.GetFile()
		_, r.Desc = e.GetErrorDescription(0)
		_, r.CtxDesc = e.GetErrorContextDescription(0)
		_, r.Protocol = e.GetProtocol()
		if f != nil {
			_, r.FileProgress = f.GetProgress()
		}
		return r
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			f := s.file(10 * stMB)
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_HTTP_ERROR(503), Transient: c.transit,
				ErrorObjectHR: c.objHR, ErrorFileHR: c.fileHR}}
			j := s.newJob(tDownload, f)
			var inCall result
			var gotFile bool
			cb := &errProbe{fn: func(e abi.Error) {
				inCall = probe(e)
				ff, _ := e.GetFile()
				gotFile = ff != nil
			}}
			require.Equal(t, abi.S_OK, j.SetNotifyInterface(cb))
			if c.transit {
				require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(0)) // TRANSIENT → ERROR at once (G46)
			}
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(3 * time.Second)
			s.requireState(j, sError, "fixture")
			require.Equal(t, 1, cb.n, "one JobError")
			require.Equal(t, c.want, inCall, "inside JobError")
			require.Equal(t, !c.noFile, gotFile)
			e, res := j.GetError()
			require.Equal(t, abi.S_OK, res, "the job's GetError itself works")
			require.Equal(t, c.want, probe(e), "through GetError")
			// After a Resume the next error is a new, intact object.
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(time.Minute)
			s.requireState(j, sTransferred, "the failure was planned once")
		})
	}
	s := newSTWorld(t)
	j, _ := s.app.CreateJob("bad", tDownload)
	f := s.file(1)
	f.Failures = []scheduler.Failure{{HR: abi.E_FAIL, ErrorObjectHR: 1}}
	require.Equal(t, abi.E_INVALIDARG, j.AddFileSpec(f), "a success code is no failure to inject")
}

type errProbe struct {
	okCB
	n  int
	fn func(abi.Error)
}

func (c *errProbe) JobError(_ abi.Job, e abi.Error) hresult { c.n++; c.fn(e); return abi.S_OK }

// Observe sees every record right after it is appended, with its seq; an
// action taken from the observer is observed too; Observe(nil) stops it.
func TestObserve(t *testing.T) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	t.Cleanup(w.Close)
	log := &trace.Log{}
	svc := scheduler.New(w, log, t.Name(), 1, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	app := svc.StartClient("app-1", alice, scheduler.MTA)
	var seen []trace.Record
	svc.Observe(func(r *trace.Record) {
		require.Equal(t, log.Len(), int(r.Seq), "observed right after the append")
		require.Equal(t, log.Records()[r.Seq-1], *r)
		seen = append(seen, *r)
		if r.Ev == trace.EvJobState && r.To == sTransferring {
			alice.Logoff() // act "when the job enters TRANSFERRING"
		}
	})
	j, _ := app.CreateJob("obs", tDownload)
	require.Equal(t, abi.S_OK, j.AddFile("http://srv/a", `C:\a`))
	require.Equal(t, abi.S_OK, j.Resume())
	require.NoError(t, w.RunUntil(time.Minute))
	require.Equal(t, log.Records()[3:], seen, "every record after Observe (run.start, run.config, client.start came before), in order")
	var last trace.Record
	for _, r := range seen {
		if r.Ev == trace.EvJobState {
			last = r
		}
	}
	require.Equal(t, sQueued, last.To, "the logoff the observer made moved the job back")
	n, before := len(seen), log.Len()
	svc.Observe(nil)
	alice.Logon()
	require.NoError(t, w.RunUntil(2*time.Minute))
	require.Greater(t, log.Len(), before, "the logon and the transfer wrote records")
	require.Len(t, seen, n, "records after Observe(nil) are not seen")
}

// SetServer plans the files an application adds with plain AddFile: here
// every file is served without range support.
func ExampleService_SetServer() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	svc.SetServer(func(remote string, typ abi.JobType) scheduler.FileSpec {
		return scheduler.FileSpec{Size: 50_000_000, NoRanges: true}
	})
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	job, _ := app.CreateJob("app's own", abi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFile("http://example/big.iso", `C:\big.iso`)
	job.Resume()
	_ = w.RunUntil(time.Second)
	st, _ := job.GetState()
	e, _ := job.GetError()
	_, code, _ := e.GetError()
	fmt.Println(st, code)
	// Output: ERROR BG_E_INSUFFICIENT_RANGE_SUPPORT
}

// Observe lets a test act when something happens: here the user logs off
// as soon as the job starts transferring, and the job goes back to QUEUED.
func ExampleService_Observe() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	app := svc.StartClient("app-1", alice, scheduler.MTA)
	svc.Observe(func(r *trace.Record) {
		switch r.Ev {
		case trace.EvJobState:
			fmt.Println(r.Seq, r.Ev, r.Job, r.From, "→", r.To)
			if r.To == abi.BG_JOB_STATE_TRANSFERRING {
				alice.Logoff() // its records are observed (and printed) from here
			}
		case trace.EvUserLogoff:
			fmt.Println(r.Seq, r.Ev, r.User)
		case trace.EvClientExit:
			fmt.Println(r.Seq, r.Ev, r.Client, r.Reason)
		}
	})
	job, _ := app.CreateJob("nightly", abi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFile("http://example/a.cab", `C:\a.cab`)
	job.Resume()
	_ = w.RunUntil(time.Minute)
	fmt.Println(alice.LoggedOn())
	// Output:
	// 6 job.state job-1 SUSPENDED → QUEUED
	// 8 job.state job-1 QUEUED → CONNECTING
	// 10 job.state job-1 CONNECTING → TRANSFERRING
	// 11 user.logoff alice
	// 12 client.exit app-1 logoff
	// 13 job.state job-1 TRANSFERRING → QUEUED
	// false
}

// A user's logoff ends their processes and sends their transferring jobs
// back to QUEUED; they transfer again after Logon.
func ExampleUser_Logoff() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	root := svc.AddUser("root", true)
	app := svc.StartClient("app-1", alice, scheduler.MTA)
	admin := svc.StartClient("adm-1", root, scheduler.MTA)
	job, _ := app.CreateJob("nightly", abi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/a.cab", LocalName: `C:\a.cab`, Size: 30_000_000})
	job.Resume()
	view := admin.Job(job) // alice's own process dies at logoff
	state := func(when string) {
		st, _ := view.GetState()
		p, _ := view.GetProgress()
		fmt.Println(when, st, p.BytesTransferred, "app alive:", app.Alive())
	}
	_ = w.RunUntil(2 * time.Second)
	state("2s")
	alice.Logoff()
	state("logoff")
	_ = w.RunUntil(time.Hour)
	state("1h")
	alice.Logon()
	_ = w.RunUntil(time.Hour + time.Minute)
	state("logon+1m")
	// Output:
	// 2s TRANSFERRING 10000000 app alive: true
	// logoff QUEUED 10000000 app alive: false
	// 1h QUEUED 10000000 app alive: false
	// logon+1m TRANSFERRED 30000000 app alive: false
}
