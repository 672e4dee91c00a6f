package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
)

// Remote names as the BG_FILE_INFO page documents them (S-FI,
// https://learn.microsoft.com/en-us/windows/win32/api/bits/ns-bits-bg_file_info):
// HTTP and HTTPS URLs; and SMB — "You can specify the remote name as a UNC
// path, full path with a network drive, or use the "file://" prefix. BITS
// 1.5 and earlier: The SMB protocol for RemoteName is not supported." and
// "there is no SMB support for upload-reply jobs". The URL is limited to
// 2,200 characters. Anything else answers E_INVALIDARG and adds nothing.
func TestRemoteNames(t *testing.T) {
	for _, tc := range []struct {
		remote  string
		typ     abi.JobType
		version scheduler.Version
		want    abi.HRESULT
	}{
		{"http://srv/f.cab", tDownload, scheduler.Version{}, abi.S_OK},
		{"HTTPS://srv/f.cab", tDownload, scheduler.Version{}, abi.S_OK},
		{`\\server\share\f.tmp`, tDownload, scheduler.Version{}, abi.S_OK},
		{`C:\dir\f.tmp`, tDownload, scheduler.Version{}, abi.S_OK},
		{`Z:/builds/f.tmp`, tDownload, scheduler.Version{}, abi.S_OK},
		{`file://C:\dir\f.tmp`, tDownload, scheduler.Version{}, abi.S_OK},
		{`file://server/share/f.tmp`, tUpload, scheduler.Version{}, abi.S_OK},
		{`C:\dir\f.tmp`, tDownload, scheduler.Version{Major: 2}, abi.S_OK},
		{`C:\dir\f.tmp`, tDownload, scheduler.Version{Major: 1, Minor: 5}, abi.E_INVALIDARG}, // BITS 1.5: no SMB
		{`\\server\share\f.tmp`, tDownload, scheduler.Version{Major: 1, Minor: 5}, abi.E_INVALIDARG},
		{"http://srv/f.cab", tDownload, scheduler.Version{Major: 1, Minor: 5}, abi.S_OK},
		{`\\server\share\f.tmp`, tUploadReply, scheduler.Version{}, abi.E_INVALIDARG}, // no SMB for upload-reply
		{"http://srv/f", tUploadReply, scheduler.Version{}, abi.S_OK},
		{"ftp://srv/f.cab", tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{"gopher://srv/f", tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{`dir\f.tmp`, tDownload, scheduler.Version{}, abi.E_INVALIDARG}, // not a full path
		{`C:f.tmp`, tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{"file://", tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{"http://", tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{"", tDownload, scheduler.Version{}, abi.E_INVALIDARG},
		{"http://srv/" + strings.Repeat("a", 2200-len("http://srv/")), tDownload, scheduler.Version{}, abi.S_OK},
		{"http://srv/" + strings.Repeat("a", 2201-len("http://srv/")), tDownload, scheduler.Version{}, abi.E_INVALIDARG},
	} {
		opts := scheduler.DefaultOptions()
		if tc.version != (scheduler.Version{}) {
			opts.Version = tc.version
		}
		s := newSTWorldOpts(t, opts)
		j, res := s.app.CreateJob("remote", tc.typ)
		require.Equal(t, abi.S_OK, res)
		name := tc.remote
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		require.Equal(t, tc.want, j.AddFile(tc.remote, `C:\dl\f.tmp`), "AddFile(%q) on a %v job, BITS %v", name, tc.typ, opts.Version)
		files, _ := j.EnumFiles()
		if tc.want == abi.S_OK {
			require.Len(t, files, 1)
		} else {
			require.Empty(t, files, "a refused file is not added")
		}
	}
}

// A job whose remote name is a local drive path or a file:// URL
// transfers to TRANSFERRED like an HTTP one (S-FI).
func TestLocalAndFileRemotesTransfer(t *testing.T) {
	for _, remote := range []string{`C:\dir\f.tmp`, `file://C:\dir\f.tmp`, `\\server\share\f.tmp`} {
		s := newSTWorld(t)
		j, _ := s.app.CreateJob("smb", tDownload)
		require.Equal(t, abi.S_OK, j.AddFile(remote, `D:\dl\f.tmp`))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		s.requireState(j, abi.BG_JOB_STATE_TRANSFERRED, remote)
	}
}
