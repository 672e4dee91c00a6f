package callbackabi

// COM basics (table 2.7; S-HR).
const (
	S_OK           HRESULT = 0x00000000
	S_FALSE        HRESULT = 0x00000001
	E_NOTIMPL      HRESULT = 0x80004001 - 1<<32
	E_NOINTERFACE  HRESULT = 0x80004002 - 1<<32
	E_POINTER      HRESULT = 0x80004003 - 1<<32
	E_ABORT        HRESULT = 0x80004004 - 1<<32
	E_FAIL         HRESULT = 0x80004005 - 1<<32
	E_UNEXPECTED   HRESULT = 0x8000FFFF - 1<<32
	E_ACCESSDENIED HRESULT = 0x80070005 - 1<<32
	E_HANDLE       HRESULT = 0x80070006 - 1<<32
	E_OUTOFMEMORY  HRESULT = 0x8007000E - 1<<32
	E_INVALIDARG   HRESULT = 0x80070057 - 1<<32
	E_PENDING      HRESULT = 0x8000000A - 1<<32

	// Dead-peer and server-fault codes (table 2.7; G23).
	RPC_E_DISCONNECTED       HRESULT = 0x80010108 - 1<<32
	RPC_E_SERVERFAULT        HRESULT = 0x80010105 - 1<<32
	CO_E_OBJNOTCONNECTED     HRESULT = 0x800401FD - 1<<32
	RPC_S_SERVER_UNAVAILABLE HRESULT = 0x800706BA - 1<<32
	RPC_S_CALL_FAILED        HRESULT = 0x800706BE - 1<<32
)

// FromUint32 converts the usual 0x8xxxxxxx spelling of an HRESULT.
func FromUint32(v uint32) HRESULT { return HRESULT(int32(v)) }

// Uint32 returns the 0x8xxxxxxx spelling of hr.
func (hr HRESULT) Uint32() uint32 { return uint32(hr) }

// BITS codes (table 2.8; H-MSG, S-RV). Facility 0x20.
const (
	BG_E_NOT_FOUND                                HRESULT = 0x80200001 - 1<<32
	BG_E_INVALID_STATE                            HRESULT = 0x80200002 - 1<<32
	BG_E_EMPTY                                    HRESULT = 0x80200003 - 1<<32
	BG_E_FILE_NOT_AVAILABLE                       HRESULT = 0x80200004 - 1<<32
	BG_E_PROTOCOL_NOT_AVAILABLE                   HRESULT = 0x80200005 - 1<<32
	BG_S_ERROR_CONTEXT_NONE                       HRESULT = 0x00200006
	BG_E_ERROR_CONTEXT_UNKNOWN                    HRESULT = 0x80200007 - 1<<32
	BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER      HRESULT = 0x80200008 - 1<<32
	BG_E_ERROR_CONTEXT_LOCAL_FILE                 HRESULT = 0x80200009 - 1<<32
	BG_E_ERROR_CONTEXT_REMOTE_FILE                HRESULT = 0x8020000A - 1<<32
	BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT          HRESULT = 0x8020000B - 1<<32
	BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION HRESULT = 0x8020000C - 1<<32
	BG_E_DESTINATION_LOCKED                       HRESULT = 0x8020000D - 1<<32
	BG_E_VOLUME_CHANGED                           HRESULT = 0x8020000E - 1<<32
	BG_E_ERROR_INFORMATION_UNAVAILABLE            HRESULT = 0x8020000F - 1<<32
	BG_E_NETWORK_DISCONNECTED                     HRESULT = 0x80200010 - 1<<32
	BG_E_MISSING_FILE_SIZE                        HRESULT = 0x80200011 - 1<<32
	BG_E_INSUFFICIENT_HTTP_SUPPORT                HRESULT = 0x80200012 - 1<<32
	BG_E_INSUFFICIENT_RANGE_SUPPORT               HRESULT = 0x80200013 - 1<<32
	BG_E_REMOTE_NOT_SUPPORTED                     HRESULT = 0x80200014 - 1<<32
	BG_E_NEW_OWNER_DIFF_MAPPING                   HRESULT = 0x80200015 - 1<<32
	BG_E_NEW_OWNER_NO_FILE_ACCESS                 HRESULT = 0x80200016 - 1<<32
	BG_S_PARTIAL_COMPLETE                         HRESULT = 0x00200017
	BG_E_PROXY_LIST_TOO_LARGE                     HRESULT = 0x80200018 - 1<<32
	BG_E_PROXY_BYPASS_LIST_TOO_LARGE              HRESULT = 0x80200019 - 1<<32
	BG_S_UNABLE_TO_DELETE_FILES                   HRESULT = 0x0020001A
	BG_E_INVALID_SERVER_RESPONSE                  HRESULT = 0x8020001B - 1<<32
	BG_E_TOO_MANY_FILES                           HRESULT = 0x8020001C - 1<<32
	BG_E_LOCAL_FILE_CHANGED                       HRESULT = 0x8020001D - 1<<32
	BG_E_ERROR_CONTEXT_REMOTE_APPLICATION         HRESULT = 0x8020001E - 1<<32
	BG_E_SESSION_NOT_FOUND                        HRESULT = 0x8020001F - 1<<32
	BG_E_TOO_LARGE                                HRESULT = 0x80200020 - 1<<32
	BG_E_STRING_TOO_LONG                          HRESULT = 0x80200021 - 1<<32
	BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH          HRESULT = 0x80200022 - 1<<32
	BG_E_SERVER_EXECUTE_ENABLE                    HRESULT = 0x80200023 - 1<<32
	BG_E_NO_PROGRESS                              HRESULT = 0x80200024 - 1<<32
	BG_E_USERNAME_TOO_LARGE                       HRESULT = 0x80200025 - 1<<32
	BG_E_PASSWORD_TOO_LARGE                       HRESULT = 0x80200026 - 1<<32
	BG_E_INVALID_AUTH_TARGET                      HRESULT = 0x80200027 - 1<<32
	BG_E_INVALID_AUTH_SCHEME                      HRESULT = 0x80200028 - 1<<32
	BG_E_FILE_NOT_FOUND                           HRESULT = 0x80200029 - 1<<32
	BG_S_PROXY_CHANGED                            HRESULT = 0x0020002A
	BG_E_INVALID_RANGE                            HRESULT = 0x8020002B - 1<<32
	BG_E_OVERLAPPING_RANGES                       HRESULT = 0x8020002C - 1<<32
	BG_E_CONNECT_FAILURE                          HRESULT = 0x8020002D - 1<<32
	BG_E_CONNECTION_CLOSED                        HRESULT = 0x8020002E - 1<<32
	BG_E_BLOCKED_BY_POLICY                        HRESULT = 0x8020003E - 1<<32
	BG_E_INVALID_PROXY_INFO                       HRESULT = 0x8020003F - 1<<32
	BG_E_INVALID_CREDENTIALS                      HRESULT = 0x80200040 - 1<<32
	BG_E_TOO_MANY_JOBS_PER_USER                   HRESULT = 0x80200049 - 1<<32
	BG_E_TOO_MANY_JOBS_PER_MACHINE                HRESULT = 0x80200050 - 1<<32
	BG_E_TOO_MANY_FILES_IN_JOB                    HRESULT = 0x80200051 - 1<<32
	BG_E_TOO_MANY_RANGES_IN_FILE                  HRESULT = 0x80200052 - 1<<32
	BG_E_VALIDATION_FAILED                        HRESULT = 0x80200053 - 1<<32
	BG_E_MAXDOWNLOAD_TIMEOUT                      HRESULT = 0x80200054 - 1<<32
	BG_S_OVERRIDDEN_BY_POLICY                     HRESULT = 0x00200055
	BG_E_TOKEN_REQUIRED                           HRESULT = 0x80200056 - 1<<32
	BG_E_UNKNOWN_PROPERTY_ID                      HRESULT = 0x80200057 - 1<<32
	BG_E_READ_ONLY_PROPERTY                       HRESULT = 0x80200058 - 1<<32
	BG_E_BLOCKED_BY_COST_TRANSFER_POLICY          HRESULT = 0x80200059 - 1<<32
	BG_E_STANDBY_MODE                             HRESULT = 0x80200065 - 1<<32
	BG_E_BLOCKED_BY_BATTERY_POLICY                HRESULT = 0x80200067 - 1<<32
	BG_E_BLOCKED_BY_BATTERY_SAVER                 HRESULT = 0x80200068 - 1<<32
	BITS_MC_JOB_NOTIFICATION_FAILURE              HRESULT = 0x80194006 - 1<<32
)

// Transport errors 0x8020002F…0x8020003D (table 2.8 "BG_E_KEEP_ALIVE_FAILURE …
// BG_E_UNKNOWN_ERROR"). Names from bitsmsg.h (H-MSG: the mingw-w64 header and the
// Windows SDK copy agree); older SDKs leave these values reserved.
const (
	BG_E_KEEP_ALIVE_FAILURE            HRESULT = 0x8020002F - 1<<32
	BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED HRESULT = 0x80200030 - 1<<32
	BG_E_NAME_RESOLUTION_FAILURE       HRESULT = 0x80200031 - 1<<32
	BG_E_PENDING                       HRESULT = 0x80200032 - 1<<32
	BG_E_PIPELINE_FAILURE              HRESULT = 0x80200033 - 1<<32
	BG_E_PROTOCOL_ERROR                HRESULT = 0x80200034 - 1<<32
	BG_E_PROXY_NAME_RESOLUTION_FAILURE HRESULT = 0x80200035 - 1<<32
	BG_E_RECEIVE_FAILURE               HRESULT = 0x80200036 - 1<<32
	BG_E_REQUEST_CANCELED              HRESULT = 0x80200037 - 1<<32
	BG_E_SECURE_CHANNEL_FAILURE        HRESULT = 0x80200038 - 1<<32
	BG_E_SEND_FAILURE                  HRESULT = 0x80200039 - 1<<32
	BG_E_SERVER_PROTOCOL_VIOLATION     HRESULT = 0x8020003A - 1<<32
	BG_E_TIMEOUT                       HRESULT = 0x8020003B - 1<<32
	BG_E_TRUST_FAILURE                 HRESULT = 0x8020003C - 1<<32
	BG_E_UNKNOWN_ERROR                 HRESULT = 0x8020003D - 1<<32
)

// BG_E_HTTP_ERROR_nnn covers HTTP status codes 100…599 (table 2.8).
const httpErrorBase uint32 = 0x80190000

// The HTTP status range BG_E_HTTP_ERROR_nnn covers.
const (
	httpStatusLow  = 100
	httpStatusHigh = 599
)

// BG_E_HTTP_ERROR returns BG_E_HTTP_ERROR_nnn = 0x80190000 + status.
//
// It is meaningful for status 100…599; [HRESULT.HTTPStatus] is the inverse.
func BG_E_HTTP_ERROR(status int) HRESULT { return FromUint32(httpErrorBase + uint32(status)) }

// HTTPStatus reports the HTTP status code of a BG_E_HTTP_ERROR_nnn code
// (0x80190000 + nnn, 100 <= nnn <= 599), or ok=false for any other code.
func (hr HRESULT) HTTPStatus() (status int, ok bool) {
	v := hr.Uint32()
	if v < httpErrorBase+httpStatusLow || v > httpErrorBase+httpStatusHigh {
		return 0, false
	}
	return int(v - httpErrorBase), true
}
