package callbackabi

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tables below are transcribed by hand from reference/bits-semantics.md
// sections 2.1–2.9, independently of the Go declarations, so a typo on
// either side fails a test.

// Table 2.1 (G1, G2).
func TestTable2_1NotifyFlags_G1_G2(t *testing.T) {
	cases := []struct {
		name  string
		got   NotifyFlags
		value uint32
	}{
		{"BG_NOTIFY_JOB_TRANSFERRED", BG_NOTIFY_JOB_TRANSFERRED, 0x0001},
		{"BG_NOTIFY_JOB_ERROR", BG_NOTIFY_JOB_ERROR, 0x0002},
		{"BG_NOTIFY_DISABLE", BG_NOTIFY_DISABLE, 0x0004},
		{"BG_NOTIFY_JOB_MODIFICATION", BG_NOTIFY_JOB_MODIFICATION, 0x0008},
		{"BG_NOTIFY_FILE_TRANSFERRED", BG_NOTIFY_FILE_TRANSFERRED, 0x0010},
		{"BG_NOTIFY_FILE_RANGES_TRANSFERRED", BG_NOTIFY_FILE_RANGES_TRANSFERRED, 0x0020},
		{"default for a new job (G1)", NotifyFlagsDefault, 0x0003},
		{"valid mask (G2)", NotifyFlagsValid, 0x003F},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.value, uint32(c.got))
			if strings.HasPrefix(c.name, "BG_NOTIFY_") {
				f, err := ParseNotifyFlags(c.name)
				require.NoError(t, err)
				assert.Equal(t, c.value, uint32(f))
				assert.Equal(t, strings.TrimPrefix(c.name, "BG_NOTIFY_"), c.got.String())
			}
		})
	}
}

// Table 2.2.
func TestTable2_2JobState(t *testing.T) {
	cases := []struct {
		name  string
		value uint32
	}{
		{"BG_JOB_STATE_QUEUED", 0},
		{"BG_JOB_STATE_CONNECTING", 1},
		{"BG_JOB_STATE_TRANSFERRING", 2},
		{"BG_JOB_STATE_SUSPENDED", 3},
		{"BG_JOB_STATE_ERROR", 4},
		{"BG_JOB_STATE_TRANSIENT_ERROR", 5},
		{"BG_JOB_STATE_TRANSFERRED", 6},
		{"BG_JOB_STATE_ACKNOWLEDGED", 7},
		{"BG_JOB_STATE_CANCELLED", 8},
	}
	consts := []JobState{BG_JOB_STATE_QUEUED, BG_JOB_STATE_CONNECTING, BG_JOB_STATE_TRANSFERRING,
		BG_JOB_STATE_SUSPENDED, BG_JOB_STATE_ERROR, BG_JOB_STATE_TRANSIENT_ERROR,
		BG_JOB_STATE_TRANSFERRED, BG_JOB_STATE_ACKNOWLEDGED, BG_JOB_STATE_CANCELLED}
	require.Len(t, consts, len(cases))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.value, uint32(consts[i]))
			s, err := ParseJobState(c.name)
			require.NoError(t, err)
			assert.Equal(t, c.value, uint32(s))
			assert.Equal(t, strings.TrimPrefix(c.name, "BG_JOB_STATE_"), s.String())
		})
	}
}

// Table 2.3.
func TestTable2_3JobPriority(t *testing.T) {
	cases := []struct {
		name  string
		got   JobPriority
		value uint32
	}{
		{"BG_JOB_PRIORITY_FOREGROUND", BG_JOB_PRIORITY_FOREGROUND, 0},
		{"BG_JOB_PRIORITY_HIGH", BG_JOB_PRIORITY_HIGH, 1},
		{"BG_JOB_PRIORITY_NORMAL", BG_JOB_PRIORITY_NORMAL, 2},
		{"BG_JOB_PRIORITY_LOW", BG_JOB_PRIORITY_LOW, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.value, uint32(c.got))
			p, err := ParseJobPriority(c.name)
			require.NoError(t, err)
			assert.Equal(t, c.got, p)
			assert.Equal(t, strings.TrimPrefix(c.name, "BG_JOB_PRIORITY_"), c.got.String())
			assert.True(t, c.got.Valid())
		})
	}
	assert.False(t, JobPriority(4).Valid(), "any other value → E_NOTIMPL (S-SPRI)")
}

// Table 2.4.
func TestTable2_4JobType(t *testing.T) {
	cases := []struct {
		name  string
		got   JobType
		value uint32
	}{
		{"BG_JOB_TYPE_DOWNLOAD", BG_JOB_TYPE_DOWNLOAD, 0},
		{"BG_JOB_TYPE_UPLOAD", BG_JOB_TYPE_UPLOAD, 1},
		{"BG_JOB_TYPE_UPLOAD_REPLY", BG_JOB_TYPE_UPLOAD_REPLY, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.value, uint32(c.got))
			v, err := ParseJobType(c.name)
			require.NoError(t, err)
			assert.Equal(t, c.got, v)
			assert.Equal(t, strings.TrimPrefix(c.name, "BG_JOB_TYPE_"), c.got.String())
		})
	}
}

// Table 2.5.
func TestTable2_5ErrorContext(t *testing.T) {
	cases := []struct {
		name    string
		got     ErrorContext
		value   uint32
		meaning string // a word the description must contain
	}{
		{"BG_ERROR_CONTEXT_NONE", BG_ERROR_CONTEXT_NONE, 0, "No error"},
		{"BG_ERROR_CONTEXT_UNKNOWN", BG_ERROR_CONTEXT_UNKNOWN, 1, "unknown"},
		{"BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, 2, "queue manager"},
		{"BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, 3, "notifying"},
		{"BG_ERROR_CONTEXT_LOCAL_FILE", BG_ERROR_CONTEXT_LOCAL_FILE, 4, "local file"},
		{"BG_ERROR_CONTEXT_REMOTE_FILE", BG_ERROR_CONTEXT_REMOTE_FILE, 5, "remote file"},
		{"BG_ERROR_CONTEXT_GENERAL_TRANSPORT", BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 6, "transport"},
		{"BG_ERROR_CONTEXT_REMOTE_APPLICATION", BG_ERROR_CONTEXT_REMOTE_APPLICATION, 7, "upload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.value, uint32(c.got))
			v, err := ParseErrorContext(c.name)
			require.NoError(t, err)
			assert.Equal(t, c.got, v)
			assert.Equal(t, strings.TrimPrefix(c.name, "BG_ERROR_CONTEXT_"), c.got.String())
			assert.Contains(t, ContextDescription(c.got), c.meaning)
		})
	}
}

// Table 2.6.
func TestTable2_6OtherConstants(t *testing.T) {
	assert.Equal(t, uint64(0xFFFFFFFFFFFFFFFF), BG_SIZE_UNKNOWN)
	assert.Equal(t, 600*time.Second, DefaultMinimumRetryDelay)
	assert.Equal(t, 5*time.Second, MinimumMinimumRetryDelay)
	assert.Equal(t, 1209600*time.Second, DefaultNoProgressTimeout)
	assert.Equal(t, 14*24*time.Hour, DefaultNoProgressTimeout, "14 days")
	assert.Equal(t, 7776000*time.Second, JobInactivityTimeout)
	assert.Equal(t, 90*24*time.Hour, JobInactivityTimeout, "90 days")
	assert.Equal(t, 7776000*time.Second, MaxDownloadTime)
	assert.Equal(t, 500*time.Millisecond, DefaultMinNotificationInterval)
	assert.Equal(t, 4, NotificationsPerUser, "G31")
	assert.Equal(t, 60, MaxJobsPerUser)
	assert.Equal(t, 300, MaxJobsPerMachine)
	assert.Equal(t, 200, MaxFilesPerJob)
	assert.Equal(t, 500, MaxRangesPerFile)
	assert.Equal(t, 260, MaxCmdLineProgram, "G30")
	assert.Equal(t, 4000, MaxCmdLineParameters, "G30")
	assert.Equal(t, uint64(2147483648), TwoGB, "G48")

	props := []struct {
		short string
		got   JobPropertyID
		value uint32
	}{
		{"COST_FLAGS", BITS_JOB_PROPERTY_ID_COST_FLAGS, 1},
		{"NOTIFICATION_CLSID", BITS_JOB_PROPERTY_NOTIFICATION_CLSID, 2},
		{"DYNAMIC_CONTENT", BITS_JOB_PROPERTY_DYNAMIC_CONTENT, 3},
		{"HIGH_PERFORMANCE", BITS_JOB_PROPERTY_HIGH_PERFORMANCE, 4},
		{"MAX_DOWNLOAD_SIZE", BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, 5},
		{"USE_STORED_CREDENTIALS", BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, 7},
		{"MINIMUM_NOTIFICATION_INTERVAL_MS", BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, 9},
		{"ON_DEMAND_MODE", BITS_JOB_PROPERTY_ON_DEMAND_MODE, 10},
	}
	for _, p := range props {
		t.Run(p.short, func(t *testing.T) {
			assert.Equal(t, p.value, uint32(p.got))
			assert.Equal(t, p.short, p.got.String())
			v, err := ParseJobPropertyID(p.short)
			require.NoError(t, err)
			assert.Equal(t, p.got, v)
			v, err = ParseJobPropertyID(p.got.SDKName())
			require.NoError(t, err)
			assert.Equal(t, p.got, v)
		})
	}
	assert.Equal(t, "BITS_JOB_PROPERTY_ID_COST_FLAGS", BITS_JOB_PROPERTY_ID_COST_FLAGS.SDKName())
	assert.Equal(t, "BITS_JOB_PROPERTY_ON_DEMAND_MODE", BITS_JOB_PROPERTY_ON_DEMAND_MODE.SDKName())
}

// hrRow is one row of tables 2.7–2.8 as the reference writes it.
type hrRow struct {
	name  string
	value uint32
}

// Tables 2.7 and 2.8, as written in the reference (BG_E_HTTP_ERROR_nnn and
// the transport range are tested separately).
var referenceHRESULTs = []hrRow{
	// 2.7
	{"S_OK", 0x00000000},
	{"S_FALSE", 0x00000001},
	{"E_NOTIMPL", 0x80004001},
	{"E_NOINTERFACE", 0x80004002},
	{"E_POINTER", 0x80004003},
	{"E_ABORT", 0x80004004},
	{"E_FAIL", 0x80004005},
	{"E_UNEXPECTED", 0x8000FFFF},
	{"E_ACCESSDENIED", 0x80070005},
	{"E_HANDLE", 0x80070006},
	{"E_OUTOFMEMORY", 0x8007000E},
	{"E_INVALIDARG", 0x80070057},
	{"E_PENDING", 0x8000000A},
	{"RPC_E_DISCONNECTED", 0x80010108},
	{"CO_E_OBJNOTCONNECTED", 0x800401FD},
	{"RPC_S_SERVER_UNAVAILABLE", 0x800706BA},
	{"RPC_S_CALL_FAILED", 0x800706BE},
	{"RPC_E_SERVERFAULT", 0x80010105}, // named in the brief; winerror.h value
	// 2.8
	{"BG_E_NOT_FOUND", 0x80200001},
	{"BG_E_INVALID_STATE", 0x80200002},
	{"BG_E_EMPTY", 0x80200003},
	{"BG_E_FILE_NOT_AVAILABLE", 0x80200004},
	{"BG_E_PROTOCOL_NOT_AVAILABLE", 0x80200005},
	{"BG_S_ERROR_CONTEXT_NONE", 0x00200006},
	{"BG_E_ERROR_CONTEXT_UNKNOWN", 0x80200007},
	{"BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", 0x80200008},
	{"BG_E_ERROR_CONTEXT_LOCAL_FILE", 0x80200009},
	{"BG_E_ERROR_CONTEXT_REMOTE_FILE", 0x8020000A},
	{"BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", 0x8020000B},
	{"BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", 0x8020000C},
	{"BG_E_DESTINATION_LOCKED", 0x8020000D},
	{"BG_E_VOLUME_CHANGED", 0x8020000E},
	{"BG_E_ERROR_INFORMATION_UNAVAILABLE", 0x8020000F},
	{"BG_E_NETWORK_DISCONNECTED", 0x80200010},
	{"BG_E_MISSING_FILE_SIZE", 0x80200011},
	{"BG_E_INSUFFICIENT_HTTP_SUPPORT", 0x80200012},
	{"BG_E_INSUFFICIENT_RANGE_SUPPORT", 0x80200013},
	{"BG_E_REMOTE_NOT_SUPPORTED", 0x80200014},
	{"BG_E_NEW_OWNER_DIFF_MAPPING", 0x80200015},
	{"BG_E_NEW_OWNER_NO_FILE_ACCESS", 0x80200016},
	{"BG_S_PARTIAL_COMPLETE", 0x00200017},
	{"BG_E_PROXY_LIST_TOO_LARGE", 0x80200018},
	{"BG_E_PROXY_BYPASS_LIST_TOO_LARGE", 0x80200019},
	{"BG_S_UNABLE_TO_DELETE_FILES", 0x0020001A},
	{"BG_E_INVALID_SERVER_RESPONSE", 0x8020001B},
	{"BG_E_TOO_MANY_FILES", 0x8020001C},
	{"BG_E_LOCAL_FILE_CHANGED", 0x8020001D},
	{"BG_E_ERROR_CONTEXT_REMOTE_APPLICATION", 0x8020001E},
	{"BG_E_SESSION_NOT_FOUND", 0x8020001F},
	{"BG_E_TOO_LARGE", 0x80200020},
	{"BG_E_STRING_TOO_LONG", 0x80200021},
	{"BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH", 0x80200022},
	{"BG_E_SERVER_EXECUTE_ENABLE", 0x80200023},
	{"BG_E_NO_PROGRESS", 0x80200024},
	{"BG_E_USERNAME_TOO_LARGE", 0x80200025},
	{"BG_E_PASSWORD_TOO_LARGE", 0x80200026},
	{"BG_E_INVALID_AUTH_TARGET", 0x80200027},
	{"BG_E_INVALID_AUTH_SCHEME", 0x80200028},
	{"BG_E_FILE_NOT_FOUND", 0x80200029},
	{"BG_S_PROXY_CHANGED", 0x0020002A},
	{"BG_E_INVALID_RANGE", 0x8020002B},
	{"BG_E_OVERLAPPING_RANGES", 0x8020002C},
	{"BG_E_CONNECT_FAILURE", 0x8020002D},
	{"BG_E_CONNECTION_CLOSED", 0x8020002E},
	{"BG_E_KEEP_ALIVE_FAILURE", 0x8020002F},
	{"BG_E_UNKNOWN_ERROR", 0x8020003D},
	{"BG_E_BLOCKED_BY_POLICY", 0x8020003E},
	{"BG_E_INVALID_PROXY_INFO", 0x8020003F},
	{"BG_E_INVALID_CREDENTIALS", 0x80200040},
	{"BG_E_TOO_MANY_JOBS_PER_USER", 0x80200049},
	{"BG_E_TOO_MANY_JOBS_PER_MACHINE", 0x80200050},
	{"BG_E_TOO_MANY_FILES_IN_JOB", 0x80200051},
	{"BG_E_TOO_MANY_RANGES_IN_FILE", 0x80200052},
	{"BG_E_VALIDATION_FAILED", 0x80200053},
	{"BG_E_MAXDOWNLOAD_TIMEOUT", 0x80200054},
	{"BG_S_OVERRIDDEN_BY_POLICY", 0x00200055},
	{"BG_E_TOKEN_REQUIRED", 0x80200056},
	{"BG_E_UNKNOWN_PROPERTY_ID", 0x80200057},
	{"BG_E_READ_ONLY_PROPERTY", 0x80200058},
	{"BG_E_BLOCKED_BY_COST_TRANSFER_POLICY", 0x80200059},
	{"BG_E_STANDBY_MODE", 0x80200065},
	{"BG_E_BLOCKED_BY_BATTERY_POLICY", 0x80200067},
	{"BG_E_BLOCKED_BY_BATTERY_SAVER", 0x80200068},
	{"BITS_MC_JOB_NOTIFICATION_FAILURE", 0x80194006},
}

// Tables 2.7–2.8: every name parses to its documented value, and the value
// prints as that name and as its hex spelling.
func TestTables2_7and2_8HRESULTs(t *testing.T) {
	for _, row := range referenceHRESULTs {
		t.Run(row.name, func(t *testing.T) {
			hr, err := ParseHRESULT(row.name)
			require.NoError(t, err)
			assert.Equal(t, row.value, hr.Uint32())
			assert.Equal(t, row.name, FromUint32(row.value).String())
			assert.Equal(t, row.value >= 0x80000000, hr.Failed(), "facility/severity bit (S-HR)")
			assert.NotContains(t, Description(hr), "Unknown error")
		})
	}
}

// The Go constants themselves match the reference values (a mistyped
// constant with a matching mistyped table entry would slip past the name
// round trip above).
func TestHRESULTConstantsMatchReference(t *testing.T) {
	consts := map[string]HRESULT{
		"S_OK": S_OK, "S_FALSE": S_FALSE, "E_NOTIMPL": E_NOTIMPL, "E_NOINTERFACE": E_NOINTERFACE,
		"E_POINTER": E_POINTER, "E_ABORT": E_ABORT, "E_FAIL": E_FAIL, "E_UNEXPECTED": E_UNEXPECTED,
		"E_ACCESSDENIED": E_ACCESSDENIED, "E_HANDLE": E_HANDLE, "E_OUTOFMEMORY": E_OUTOFMEMORY,
		"E_INVALIDARG": E_INVALIDARG, "E_PENDING": E_PENDING,
		"RPC_E_DISCONNECTED": RPC_E_DISCONNECTED, "CO_E_OBJNOTCONNECTED": CO_E_OBJNOTCONNECTED,
		"RPC_S_SERVER_UNAVAILABLE": RPC_S_SERVER_UNAVAILABLE, "RPC_S_CALL_FAILED": RPC_S_CALL_FAILED,
		"RPC_E_SERVERFAULT":                             RPC_E_SERVERFAULT,
		"BG_E_NOT_FOUND":                                BG_E_NOT_FOUND,
		"BG_E_INVALID_STATE":                            BG_E_INVALID_STATE,
		"BG_E_EMPTY":                                    BG_E_EMPTY,
		"BG_E_FILE_NOT_AVAILABLE":                       BG_E_FILE_NOT_AVAILABLE,
		"BG_E_PROTOCOL_NOT_AVAILABLE":                   BG_E_PROTOCOL_NOT_AVAILABLE,
		"BG_S_ERROR_CONTEXT_NONE":                       BG_S_ERROR_CONTEXT_NONE,
		"BG_E_ERROR_CONTEXT_UNKNOWN":                    BG_E_ERROR_CONTEXT_UNKNOWN,
		"BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER":      BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,
		"BG_E_ERROR_CONTEXT_LOCAL_FILE":                 BG_E_ERROR_CONTEXT_LOCAL_FILE,
		"BG_E_ERROR_CONTEXT_REMOTE_FILE":                BG_E_ERROR_CONTEXT_REMOTE_FILE,
		"BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT":          BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT,
		"BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION": BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION,
		"BG_E_DESTINATION_LOCKED":                       BG_E_DESTINATION_LOCKED,
		"BG_E_VOLUME_CHANGED":                           BG_E_VOLUME_CHANGED,
		"BG_E_ERROR_INFORMATION_UNAVAILABLE":            BG_E_ERROR_INFORMATION_UNAVAILABLE,
		"BG_E_NETWORK_DISCONNECTED":                     BG_E_NETWORK_DISCONNECTED,
		"BG_E_MISSING_FILE_SIZE":                        BG_E_MISSING_FILE_SIZE,
		"BG_E_INSUFFICIENT_HTTP_SUPPORT":                BG_E_INSUFFICIENT_HTTP_SUPPORT,
		"BG_E_INSUFFICIENT_RANGE_SUPPORT":               BG_E_INSUFFICIENT_RANGE_SUPPORT,
		"BG_E_REMOTE_NOT_SUPPORTED":                     BG_E_REMOTE_NOT_SUPPORTED,
		"BG_E_NEW_OWNER_DIFF_MAPPING":                   BG_E_NEW_OWNER_DIFF_MAPPING,
		"BG_E_NEW_OWNER_NO_FILE_ACCESS":                 BG_E_NEW_OWNER_NO_FILE_ACCESS,
		"BG_S_PARTIAL_COMPLETE":                         BG_S_PARTIAL_COMPLETE,
		"BG_E_PROXY_LIST_TOO_LARGE":                     BG_E_PROXY_LIST_TOO_LARGE,
		"BG_E_PROXY_BYPASS_LIST_TOO_LARGE":              BG_E_PROXY_BYPASS_LIST_TOO_LARGE,
		"BG_S_UNABLE_TO_DELETE_FILES":                   BG_S_UNABLE_TO_DELETE_FILES,
		"BG_E_INVALID_SERVER_RESPONSE":                  BG_E_INVALID_SERVER_RESPONSE,
		"BG_E_TOO_MANY_FILES":                           BG_E_TOO_MANY_FILES,
		"BG_E_LOCAL_FILE_CHANGED":                       BG_E_LOCAL_FILE_CHANGED,
		"BG_E_ERROR_CONTEXT_REMOTE_APPLICATION":         BG_E_ERROR_CONTEXT_REMOTE_APPLICATION,
		"BG_E_SESSION_NOT_FOUND":                        BG_E_SESSION_NOT_FOUND,
		"BG_E_TOO_LARGE":                                BG_E_TOO_LARGE,
		"BG_E_STRING_TOO_LONG":                          BG_E_STRING_TOO_LONG,
		"BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH":          BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH,
		"BG_E_SERVER_EXECUTE_ENABLE":                    BG_E_SERVER_EXECUTE_ENABLE,
		"BG_E_NO_PROGRESS":                              BG_E_NO_PROGRESS,
		"BG_E_USERNAME_TOO_LARGE":                       BG_E_USERNAME_TOO_LARGE,
		"BG_E_PASSWORD_TOO_LARGE":                       BG_E_PASSWORD_TOO_LARGE,
		"BG_E_INVALID_AUTH_TARGET":                      BG_E_INVALID_AUTH_TARGET,
		"BG_E_INVALID_AUTH_SCHEME":                      BG_E_INVALID_AUTH_SCHEME,
		"BG_E_FILE_NOT_FOUND":                           BG_E_FILE_NOT_FOUND,
		"BG_S_PROXY_CHANGED":                            BG_S_PROXY_CHANGED,
		"BG_E_INVALID_RANGE":                            BG_E_INVALID_RANGE,
		"BG_E_OVERLAPPING_RANGES":                       BG_E_OVERLAPPING_RANGES,
		"BG_E_CONNECT_FAILURE":                          BG_E_CONNECT_FAILURE,
		"BG_E_CONNECTION_CLOSED":                        BG_E_CONNECTION_CLOSED,
		"BG_E_KEEP_ALIVE_FAILURE":                       BG_E_KEEP_ALIVE_FAILURE,
		"BG_E_UNKNOWN_ERROR":                            BG_E_UNKNOWN_ERROR,
		"BG_E_BLOCKED_BY_POLICY":                        BG_E_BLOCKED_BY_POLICY,
		"BG_E_INVALID_PROXY_INFO":                       BG_E_INVALID_PROXY_INFO,
		"BG_E_INVALID_CREDENTIALS":                      BG_E_INVALID_CREDENTIALS,
		"BG_E_TOO_MANY_JOBS_PER_USER":                   BG_E_TOO_MANY_JOBS_PER_USER,
		"BG_E_TOO_MANY_JOBS_PER_MACHINE":                BG_E_TOO_MANY_JOBS_PER_MACHINE,
		"BG_E_TOO_MANY_FILES_IN_JOB":                    BG_E_TOO_MANY_FILES_IN_JOB,
		"BG_E_TOO_MANY_RANGES_IN_FILE":                  BG_E_TOO_MANY_RANGES_IN_FILE,
		"BG_E_VALIDATION_FAILED":                        BG_E_VALIDATION_FAILED,
		"BG_E_MAXDOWNLOAD_TIMEOUT":                      BG_E_MAXDOWNLOAD_TIMEOUT,
		"BG_S_OVERRIDDEN_BY_POLICY":                     BG_S_OVERRIDDEN_BY_POLICY,
		"BG_E_TOKEN_REQUIRED":                           BG_E_TOKEN_REQUIRED,
		"BG_E_UNKNOWN_PROPERTY_ID":                      BG_E_UNKNOWN_PROPERTY_ID,
		"BG_E_READ_ONLY_PROPERTY":                       BG_E_READ_ONLY_PROPERTY,
		"BG_E_BLOCKED_BY_COST_TRANSFER_POLICY":          BG_E_BLOCKED_BY_COST_TRANSFER_POLICY,
		"BG_E_STANDBY_MODE":                             BG_E_STANDBY_MODE,
		"BG_E_BLOCKED_BY_BATTERY_POLICY":                BG_E_BLOCKED_BY_BATTERY_POLICY,
		"BG_E_BLOCKED_BY_BATTERY_SAVER":                 BG_E_BLOCKED_BY_BATTERY_SAVER,
		"BITS_MC_JOB_NOTIFICATION_FAILURE":              BITS_MC_JOB_NOTIFICATION_FAILURE,
	}
	require.Len(t, consts, len(referenceHRESULTs), "every reference row has a Go constant")
	for _, row := range referenceHRESULTs {
		c, ok := consts[row.name]
		require.True(t, ok, row.name)
		assert.Equal(t, row.value, c.Uint32(), row.name)
	}
}

// Table 2.8, "BG_E_KEEP_ALIVE_FAILURE … BG_E_UNKNOWN_ERROR 0x8020002F …
// 0x8020003D": every code of the transport range has a BG_E_ name.
func TestTable2_8TransportRange(t *testing.T) {
	for v := uint32(0x8020002F); v <= 0x8020003D; v++ {
		name := FromUint32(v).String()
		assert.True(t, strings.HasPrefix(name, "BG_E_"), "0x%08X is named %q", v, name)
	}
	assert.Equal(t, "BG_E_TIMEOUT", FromUint32(0x8020003B).String())
	assert.Equal(t, "BG_E_PENDING", FromUint32(0x80200032).String())
}

// Table 2.8: BG_E_HTTP_ERROR_nnn = 0x80190000 + nnn; the reference's
// examples are 404 → 0x80190194 and 503 → 0x801901F7.
func TestTable2_8HTTPErrors(t *testing.T) {
	assert.Equal(t, uint32(0x80190194), BG_E_HTTP_ERROR(404).Uint32())
	assert.Equal(t, uint32(0x801901F7), BG_E_HTTP_ERROR(503).Uint32())
	for status := 100; status <= 599; status++ {
		hr := BG_E_HTTP_ERROR(status)
		name := hr.String()
		require.Equal(t, "BG_E_HTTP_ERROR_"+itoa3(status), name)
		back, err := ParseHRESULT(name)
		require.NoError(t, err)
		require.Equal(t, hr, back)
		got, ok := hr.HTTPStatus()
		require.True(t, ok)
		require.Equal(t, status, got)
		require.True(t, hr.Failed())
	}
	for _, v := range []uint32{0x80190000 + 99, 0x80190000 + 600, 0x80194006} {
		_, ok := FromUint32(v).HTTPStatus()
		assert.False(t, ok, "0x%08X", v)
		assert.NotContains(t, FromUint32(v).String(), "HTTP")
	}
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// Table 2.9, transcribed as the reference writes it (upper-case, no braces).
func TestTable2_9InterfaceIdentifiers(t *testing.T) {
	cases := []struct {
		name string
		got  GUID
		text string
	}{
		{"IBackgroundCopyCallback", IID_IBackgroundCopyCallback, "97EA99C7-0186-4AD4-8DF9-C5B4E0ED6B22"},
		{"AsyncIBackgroundCopyCallback", IID_AsyncIBackgroundCopyCallback, "CA29D251-B4BB-4679-A3D9-AE8006119D54"},
		{"IBackgroundCopyCallback2", IID_IBackgroundCopyCallback2, "659CDEAC-489E-11D9-A9CD-000D56965251"},
		{"IBackgroundCopyCallback3", IID_IBackgroundCopyCallback3, "98C97BD2-E32B-4AD8-A528-95FD8B16BD42"},
		{"IBackgroundCopyJob", IID_IBackgroundCopyJob, "37668D37-507E-4160-9316-26306D150B12"},
		{"IBackgroundCopyManager", IID_IBackgroundCopyManager, "5CE34C0D-0DC9-4C1F-897C-DAA1B78CEE7C"},
		{"IBackgroundCopyError", IID_IBackgroundCopyError, "19C613A0-FCB8-4F28-81AE-897C3D078F81"},
		{"IBackgroundCopyFile", IID_IBackgroundCopyFile, "01B7BD23-FB88-4A77-8490-5891D3E4653A"},
		{"BackgroundCopyManager", CLSID_BackgroundCopyManager, "4991D34B-80A1-4291-83B6-3328366B9097"},
		// Not in table 2.9: the COM constant, and Job2 from W-IDL bits1_5.idl.
		{"IUnknown", IID_IUnknown, "00000000-0000-0000-C000-000000000046"},
		{"IBackgroundCopyJob2", IID_IBackgroundCopyJob2, "54B50739-686F-45EB-9DFF-D6A9A0FAA9AF"},
	}
	seen := map[GUID]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parsed, err := ParseGUID(c.text)
			require.NoError(t, err)
			assert.Equal(t, c.got, parsed)
			assert.Equal(t, "{"+c.text+"}", c.got.String())
			lower, err := ParseGUID("{" + strings.ToLower(c.text) + "}")
			require.NoError(t, err)
			assert.Equal(t, c.got, lower)
			assert.Equal(t, c.name, InterfaceName(c.got))
			prev, dup := seen[c.got]
			assert.False(t, dup, "%s has the same GUID as %s", c.name, prev)
			seen[c.got] = c.name
		})
	}
	// Field layout of one IID checked by hand: Data1-Data2-Data3-Data4.
	assert.Equal(t, GUID{0x97EA99C7, 0x0186, 0x4AD4, [8]byte{0x8D, 0xF9, 0xC5, 0xB4, 0xE0, 0xED, 0x6B, 0x22}}, IID_IBackgroundCopyCallback)
}
