package callbackabi

import "time"

// HRESULT is a COM status code. Success codes are >= 0 (S_OK, S_FALSE,
// BG_S_*); failure codes are < 0 (E_*, BG_E_*). See reference table 2.7.
type HRESULT int32

// Succeeded reports SUCCEEDED(hr): hr >= 0.
func (hr HRESULT) Succeeded() bool { return hr >= 0 }

// Failed reports FAILED(hr): hr < 0.
func (hr HRESULT) Failed() bool { return hr < 0 }

// NotifyFlags is the BG_NOTIFY_* bit set of SetNotifyFlags (table 2.1).
type NotifyFlags uint32

// BG_NOTIFY_* (table 2.1; G2).
const (
	BG_NOTIFY_JOB_TRANSFERRED         NotifyFlags = 0x0001
	BG_NOTIFY_JOB_ERROR               NotifyFlags = 0x0002
	BG_NOTIFY_DISABLE                 NotifyFlags = 0x0004
	BG_NOTIFY_JOB_MODIFICATION        NotifyFlags = 0x0008
	BG_NOTIFY_FILE_TRANSFERRED        NotifyFlags = 0x0010
	BG_NOTIFY_FILE_RANGES_TRANSFERRED NotifyFlags = 0x0020

	// NotifyFlagsDefault is what GetNotifyFlags returns for a new job (G1).
	NotifyFlagsDefault = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR
	// NotifyFlagsValid is the mask of defined bits; SetNotifyFlags with any
	// other bit returns E_NOTIMPL (G2).
	NotifyFlagsValid NotifyFlags = 0x003F
)

// JobState is BG_JOB_STATE (table 2.2).
type JobState uint32

// BG_JOB_STATE_* (table 2.2).
const (
	BG_JOB_STATE_QUEUED          JobState = 0
	BG_JOB_STATE_CONNECTING      JobState = 1
	BG_JOB_STATE_TRANSFERRING    JobState = 2
	BG_JOB_STATE_SUSPENDED       JobState = 3
	BG_JOB_STATE_ERROR           JobState = 4
	BG_JOB_STATE_TRANSIENT_ERROR JobState = 5
	BG_JOB_STATE_TRANSFERRED     JobState = 6
	BG_JOB_STATE_ACKNOWLEDGED    JobState = 7
	BG_JOB_STATE_CANCELLED       JobState = 8
)

// JobPriority is BG_JOB_PRIORITY (table 2.3).
type JobPriority uint32

// BG_JOB_PRIORITY_* (table 2.3).
const (
	BG_JOB_PRIORITY_FOREGROUND JobPriority = 0
	BG_JOB_PRIORITY_HIGH       JobPriority = 1
	BG_JOB_PRIORITY_NORMAL     JobPriority = 2
	BG_JOB_PRIORITY_LOW        JobPriority = 3
)

// JobType is BG_JOB_TYPE (table 2.4).
type JobType uint32

// BG_JOB_TYPE_* (table 2.4).
const (
	BG_JOB_TYPE_DOWNLOAD     JobType = 0
	BG_JOB_TYPE_UPLOAD       JobType = 1
	BG_JOB_TYPE_UPLOAD_REPLY JobType = 2
)

// ErrorContext is BG_ERROR_CONTEXT (table 2.5).
type ErrorContext uint32

// BG_ERROR_CONTEXT_* (table 2.5).
const (
	BG_ERROR_CONTEXT_NONE                       ErrorContext = 0
	BG_ERROR_CONTEXT_UNKNOWN                    ErrorContext = 1
	BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER      ErrorContext = 2
	BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION ErrorContext = 3
	BG_ERROR_CONTEXT_LOCAL_FILE                 ErrorContext = 4
	BG_ERROR_CONTEXT_REMOTE_FILE                ErrorContext = 5
	BG_ERROR_CONTEXT_GENERAL_TRANSPORT          ErrorContext = 6
	BG_ERROR_CONTEXT_REMOTE_APPLICATION         ErrorContext = 7
)

// JobPropertyID is BITS_JOB_PROPERTY_ID (table 2.6; BITS 5.0).
type JobPropertyID uint32

// BITS_JOB_PROPERTY_* (table 2.6).
const (
	BITS_JOB_PROPERTY_ID_COST_FLAGS                    JobPropertyID = 1
	BITS_JOB_PROPERTY_NOTIFICATION_CLSID               JobPropertyID = 2
	BITS_JOB_PROPERTY_DYNAMIC_CONTENT                  JobPropertyID = 3
	BITS_JOB_PROPERTY_HIGH_PERFORMANCE                 JobPropertyID = 4
	BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE                JobPropertyID = 5
	BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS           JobPropertyID = 7
	BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS JobPropertyID = 9
	BITS_JOB_PROPERTY_ON_DEMAND_MODE                   JobPropertyID = 10
)

// BG_SIZE_UNKNOWN marks a size BITS does not know yet (table 2.6).
const BG_SIZE_UNKNOWN uint64 = 0xFFFFFFFFFFFFFFFF

// Other documented constants (table 2.6).
const (
	DefaultMinimumRetryDelay              = 600 * time.Second
	MinimumMinimumRetryDelay              = 5 * time.Second
	DefaultNoProgressTimeout              = 1209600 * time.Second
	JobInactivityTimeout                  = 7776000 * time.Second
	MaxDownloadTime                       = 7776000 * time.Second
	DefaultMinNotificationInterval        = 500 * time.Millisecond
	NotificationsPerUser                  = 4
	MaxJobsPerUser                        = 60
	MaxJobsPerMachine                     = 300
	MaxFilesPerJob                        = 200
	MaxRangesPerFile                      = 500
	MaxCmdLineProgram                     = 260  // MAX_PATH characters (G30)
	MaxCmdLineParameters                  = 4000 // characters (G30)
	TwoGB                          uint64 = 2147483648
)

// The service accounts a BITS job may belong to (G30): "The LocalSystem,
// LocalService, and NetworkService system accounts are always logged on"
// ("Users and Network Connections"), and no notification program runs for
// their jobs (the SetNotifyCmdLine page). bitsim's traces name them so.
const (
	LocalSystem    = "LocalSystem"
	LocalService   = "LocalService"
	NetworkService = "NetworkService"
)

// IsServiceAccount reports whether name is one of the three service
// accounts (LocalSystem, LocalService, NetworkService).
func IsServiceAccount(name string) bool {
	return name == LocalSystem || name == LocalService || name == NetworkService
}

// JobProgress is BG_JOB_PROGRESS (G50).
type JobProgress struct {
	BytesTotal       uint64
	BytesTransferred uint64
	FilesTotal       uint32
	FilesTransferred uint32
}

// FileProgress is BG_FILE_PROGRESS (G50).
type FileProgress struct {
	BytesTotal       uint64
	BytesTransferred uint64
	Completed        bool
}

// FileRange is BG_FILE_RANGE.
type FileRange struct {
	InitialOffset uint64
	Length        uint64
}

// JobTimes is BG_JOB_TIMES.
type JobTimes struct {
	CreationTime           time.Time
	ModificationTime       time.Time
	TransferCompletionTime time.Time
}
