package callbackabi

import (
	"fmt"
	"strconv"
	"strings"
)

// hresultInfo is one named HRESULT: its symbolic name and a short English
// description (a paraphrase of the meaning in reference tables 2.7–2.8 and of
// the bitsmsg.h message text, H-MSG).
type hresultInfo struct {
	hr   HRESULT
	name string
	desc string
}

// hresultTable lists every named HRESULT in the order of reference tables
// 2.7 and 2.8. It is the single source of names and descriptions; the maps
// below are lookup indexes only and are never iterated.
var hresultTable = [...]hresultInfo{
	// Table 2.7: COM basics (S-HR).
	{S_OK, "S_OK", "The operation succeeded."},
	{S_FALSE, "S_FALSE", "The operation succeeded but returned a false or partial result (a success code that is not S_OK)."},
	{E_NOTIMPL, "E_NOTIMPL", "The method or value is not implemented."},
	{E_NOINTERFACE, "E_NOINTERFACE", "The object does not support the requested interface."},
	{E_POINTER, "E_POINTER", "A required pointer was missing or not valid."},
	{E_ABORT, "E_ABORT", "The operation was aborted."},
	{E_FAIL, "E_FAIL", "Unspecified failure."},
	{E_UNEXPECTED, "E_UNEXPECTED", "Unexpected failure."},
	{E_ACCESSDENIED, "E_ACCESSDENIED", "Access is denied."},
	{E_HANDLE, "E_HANDLE", "The handle is not valid."},
	{E_OUTOFMEMORY, "E_OUTOFMEMORY", "Not enough memory to complete the operation."},
	{E_INVALIDARG, "E_INVALIDARG", "One or more arguments are not valid."},
	{E_PENDING, "E_PENDING", "The data needed to complete the operation is not yet available."},
	// Table 2.7: dead-peer and server-fault codes (G23).
	{RPC_E_DISCONNECTED, "RPC_E_DISCONNECTED", "The object that was called has disconnected from its clients."},
	{CO_E_OBJNOTCONNECTED, "CO_E_OBJNOTCONNECTED", "The object is not connected to the server."},
	{RPC_E_SERVERFAULT, "RPC_E_SERVERFAULT", "The server raised an exception while handling the call."},
	{RPC_S_SERVER_UNAVAILABLE, "RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable."},
	{RPC_S_CALL_FAILED, "RPC_S_CALL_FAILED", "The remote procedure call failed."},

	// Table 2.8: BITS codes (H-MSG; S-RV).
	{BG_E_NOT_FOUND, "BG_E_NOT_FOUND", "The job was not found."},
	{BG_E_INVALID_STATE, "BG_E_INVALID_STATE", "The action is not allowed in the job's current state; the job may already be cancelled or acknowledged."},
	{BG_E_EMPTY, "BG_E_EMPTY", "The job has no files; add files before resuming it."},
	{BG_E_FILE_NOT_AVAILABLE, "BG_E_FILE_NOT_AVAILABLE", "No file is associated with the error."},
	{BG_E_PROTOCOL_NOT_AVAILABLE, "BG_E_PROTOCOL_NOT_AVAILABLE", "No protocol is associated with the error."},
	{BG_S_ERROR_CONTEXT_NONE, "BG_S_ERROR_CONTEXT_NONE", "No error has occurred."},
	{BG_E_ERROR_CONTEXT_UNKNOWN, "BG_E_ERROR_CONTEXT_UNKNOWN", "The error happened in an unknown place."},
	{BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", "The error happened in the BITS queue manager."},
	{BG_E_ERROR_CONTEXT_LOCAL_FILE, "BG_E_ERROR_CONTEXT_LOCAL_FILE", "The error happened while processing the local file; check that it is not in use."},
	{BG_E_ERROR_CONTEXT_REMOTE_FILE, "BG_E_ERROR_CONTEXT_REMOTE_FILE", "The error happened while processing the remote file."},
	{BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", "The error happened in the transport layer; the client could not reach the server."},
	{BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", "The error happened while processing a notification callback; BITS will try again later."},
	{BG_E_DESTINATION_LOCKED, "BG_E_DESTINATION_LOCKED", "The destination volume is locked (for example by a disk check); BITS will try again when it is available."},
	{BG_E_VOLUME_CHANGED, "BG_E_VOLUME_CHANGED", "The destination volume changed; reinsert the original disk and resume the job."},
	{BG_E_ERROR_INFORMATION_UNAVAILABLE, "BG_E_ERROR_INFORMATION_UNAVAILABLE", "No error information is available: the job is not in ERROR or TRANSIENT_ERROR."},
	{BG_E_NETWORK_DISCONNECTED, "BG_E_NETWORK_DISCONNECTED", "There is no active network connection; BITS will try again when an adapter connects."},
	{BG_E_MISSING_FILE_SIZE, "BG_E_MISSING_FILE_SIZE", "The server did not report the file size (no Content-Length); the URL may point to dynamic content."},
	{BG_E_INSUFFICIENT_HTTP_SUPPORT, "BG_E_INSUFFICIENT_HTTP_SUPPORT", "The server does not support HTTP/1.1."},
	{BG_E_INSUFFICIENT_RANGE_SUPPORT, "BG_E_INSUFFICIENT_RANGE_SUPPORT", "The server does not support the HTTP Range header that BITS needs."},
	{BG_E_REMOTE_NOT_SUPPORTED, "BG_E_REMOTE_NOT_SUPPORTED", "BITS cannot be used remotely."},
	{BG_E_NEW_OWNER_DIFF_MAPPING, "BG_E_NEW_OWNER_DIFF_MAPPING", "The new owner maps the job's drives differently; use a UNC path."},
	{BG_E_NEW_OWNER_NO_FILE_ACCESS, "BG_E_NEW_OWNER_NO_FILE_ACCESS", "The new owner cannot access the job's local files."},
	{BG_S_PARTIAL_COMPLETE, "BG_S_PARTIAL_COMPLETE", "Only some files had transferred; the incomplete ones were deleted."},
	{BG_E_PROXY_LIST_TOO_LARGE, "BG_E_PROXY_LIST_TOO_LARGE", "The proxy list is too long."},
	{BG_E_PROXY_BYPASS_LIST_TOO_LARGE, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE", "The proxy bypass list is too long."},
	{BG_S_UNABLE_TO_DELETE_FILES, "BG_S_UNABLE_TO_DELETE_FILES", "Some temporary files could not be deleted."},
	{BG_E_INVALID_SERVER_RESPONSE, "BG_E_INVALID_SERVER_RESPONSE", "The server's response did not follow the protocol; resume the job to try again."},
	{BG_E_TOO_MANY_FILES, "BG_E_TOO_MANY_FILES", "No more files can be added to this job."},
	{BG_E_LOCAL_FILE_CHANGED, "BG_E_LOCAL_FILE_CHANGED", "The local file changed during the transfer; recreate the job."},
	{BG_E_ERROR_CONTEXT_REMOTE_APPLICATION, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION", "The server application that processes the upload reported the error."},
	{BG_E_SESSION_NOT_FOUND, "BG_E_SESSION_NOT_FOUND", "The upload session was not found on the server; BITS will try again."},
	{BG_E_TOO_LARGE, "BG_E_TOO_LARGE", "The job is too large for the server to accept."},
	{BG_E_STRING_TOO_LONG, "BG_E_STRING_TOO_LONG", "The string is too long."},
	{BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH", "The client and server versions of BITS are incompatible."},
	{BG_E_SERVER_EXECUTE_ENABLE, "BG_E_SERVER_EXECUTE_ENABLE", "Scripting or execute permission is enabled on the upload virtual directory; disable it."},
	{BG_E_NO_PROGRESS, "BG_E_NO_PROGRESS", "The job is not making progress; BITS will try again later."},
	{BG_E_USERNAME_TOO_LARGE, "BG_E_USERNAME_TOO_LARGE", "The user name is too long."},
	{BG_E_PASSWORD_TOO_LARGE, "BG_E_PASSWORD_TOO_LARGE", "The password is too long."},
	{BG_E_INVALID_AUTH_TARGET, "BG_E_INVALID_AUTH_TARGET", "The authentication target in the credentials is not defined."},
	{BG_E_INVALID_AUTH_SCHEME, "BG_E_INVALID_AUTH_SCHEME", "The authentication scheme in the credentials is not defined."},
	{BG_E_FILE_NOT_FOUND, "BG_E_FILE_NOT_FOUND", "The file name matches no file of the job."},
	{BG_S_PROXY_CHANGED, "BG_S_PROXY_CHANGED", "The proxy server changed."},
	{BG_E_INVALID_RANGE, "BG_E_INVALID_RANGE", "A requested byte range extends past the end of the content."},
	{BG_E_OVERLAPPING_RANGES, "BG_E_OVERLAPPING_RANGES", "The requested byte ranges overlap."},
	{BG_E_CONNECT_FAILURE, "BG_E_CONNECT_FAILURE", "A connection could not be established."},
	{BG_E_CONNECTION_CLOSED, "BG_E_CONNECTION_CLOSED", "The connection closed too early."},
	{BG_E_KEEP_ALIVE_FAILURE, "BG_E_KEEP_ALIVE_FAILURE", "A keep-alive connection closed unexpectedly."},
	{BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED, "BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED", "A message to or from the server exceeded the size limit."},
	{BG_E_NAME_RESOLUTION_FAILURE, "BG_E_NAME_RESOLUTION_FAILURE", "The host name could not be resolved."},
	{BG_E_PENDING, "BG_E_PENDING", "An internal asynchronous request is still pending."},
	{BG_E_PIPELINE_FAILURE, "BG_E_PIPELINE_FAILURE", "A pipelined request failed."},
	{BG_E_PROTOCOL_ERROR, "BG_E_PROTOCOL_ERROR", "The server's complete response reported a protocol-level error."},
	{BG_E_PROXY_NAME_RESOLUTION_FAILURE, "BG_E_PROXY_NAME_RESOLUTION_FAILURE", "The proxy name could not be resolved."},
	{BG_E_RECEIVE_FAILURE, "BG_E_RECEIVE_FAILURE", "The server's response was not received completely."},
	{BG_E_REQUEST_CANCELED, "BG_E_REQUEST_CANCELED", "The request was cancelled."},
	{BG_E_SECURE_CHANNEL_FAILURE, "BG_E_SECURE_CHANNEL_FAILURE", "A secure (TLS) connection could not be established."},
	{BG_E_SEND_FAILURE, "BG_E_SEND_FAILURE", "The request could not be sent completely to the server."},
	{BG_E_SERVER_PROTOCOL_VIOLATION, "BG_E_SERVER_PROTOCOL_VIOLATION", "The server's response was not valid."},
	{BG_E_TIMEOUT, "BG_E_TIMEOUT", "The operation took longer than its time limit."},
	{BG_E_TRUST_FAILURE, "BG_E_TRUST_FAILURE", "The server certificate could not be validated."},
	{BG_E_UNKNOWN_ERROR, "BG_E_UNKNOWN_ERROR", "An unknown transport error occurred."},
	{BG_E_BLOCKED_BY_POLICY, "BG_E_BLOCKED_BY_POLICY", "Group Policy does not let background jobs run at this time."},
	{BG_E_INVALID_PROXY_INFO, "BG_E_INVALID_PROXY_INFO", "The proxy server or bypass list is not valid."},
	{BG_E_INVALID_CREDENTIALS, "BG_E_INVALID_CREDENTIALS", "The credentials are in an invalid format."},
	{BG_E_TOO_MANY_JOBS_PER_USER, "BG_E_TOO_MANY_JOBS_PER_USER", "The user already has the maximum number of jobs."},
	{BG_E_TOO_MANY_JOBS_PER_MACHINE, "BG_E_TOO_MANY_JOBS_PER_MACHINE", "The computer already has the maximum number of jobs."},
	{BG_E_TOO_MANY_FILES_IN_JOB, "BG_E_TOO_MANY_FILES_IN_JOB", "The job already has the maximum number of files."},
	{BG_E_TOO_MANY_RANGES_IN_FILE, "BG_E_TOO_MANY_RANGES_IN_FILE", "The file already has the maximum number of ranges."},
	{BG_E_VALIDATION_FAILED, "BG_E_VALIDATION_FAILED", "The client marked the downloaded file as not valid."},
	{BG_E_MAXDOWNLOAD_TIMEOUT, "BG_E_MAXDOWNLOAD_TIMEOUT", "The job did not finish within its maximum download time."},
	{BG_S_OVERRIDDEN_BY_POLICY, "BG_S_OVERRIDDEN_BY_POLICY", "The setting was accepted but Group Policy overrides it."},
	{BG_E_TOKEN_REQUIRED, "BG_E_TOKEN_REQUIRED", "The job needs a user token that is not available."},
	{BG_E_UNKNOWN_PROPERTY_ID, "BG_E_UNKNOWN_PROPERTY_ID", "The job property id is not known."},
	{BG_E_READ_ONLY_PROPERTY, "BG_E_READ_ONLY_PROPERTY", "The job property is read-only."},
	{BG_E_BLOCKED_BY_COST_TRANSFER_POLICY, "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY", "The job's transfer policy does not allow transfers on the current (costed) network."},
	{BG_E_STANDBY_MODE, "BG_E_STANDBY_MODE", "Transfers are paused while the computer is in standby mode."},
	{BG_E_BLOCKED_BY_BATTERY_POLICY, "BG_E_BLOCKED_BY_BATTERY_POLICY", "Transfers are paused by the battery policy."},
	{BG_E_BLOCKED_BY_BATTERY_SAVER, "BG_E_BLOCKED_BY_BATTERY_SAVER", "Transfers are paused by battery saver."},
	{BITS_MC_JOB_NOTIFICATION_FAILURE, "BITS_MC_JOB_NOTIFICATION_FAILURE", "BITS could not notify the client about a job event (event-log message)."},
}

// Lookup indexes over hresultTable (built once; only looked up, never
// iterated, so they cannot affect any output order).
var (
	hresultByCode = func() map[HRESULT]int {
		m := make(map[HRESULT]int, len(hresultTable))
		for i, e := range hresultTable {
			if _, dup := m[e.hr]; dup {
				panic("callbackabi: duplicate HRESULT in table: " + e.name)
			}
			m[e.hr] = i
		}
		return m
	}()
	hresultByName = func() map[string]HRESULT {
		m := make(map[string]HRESULT, len(hresultTable))
		for _, e := range hresultTable {
			if _, dup := m[e.name]; dup {
				panic("callbackabi: duplicate HRESULT name in table: " + e.name)
			}
			m[e.name] = e.hr
		}
		return m
	}()
)

const httpErrorPrefix = "BG_E_HTTP_ERROR_"

// String returns the symbolic name of hr ("S_OK", "BG_E_INVALID_STATE",
// "BG_E_HTTP_ERROR_404"), or its [HRESULT.Hex] form when the code has no name
// here. The names are those of reference tables 2.7–2.8 and bitsmsg.h.
// [ParseHRESULT] reads every string String returns.
func (hr HRESULT) String() string {
	if i, ok := hresultByCode[hr]; ok {
		return hresultTable[i].name
	}
	if status, ok := hr.HTTPStatus(); ok {
		return httpErrorPrefix + strconv.Itoa(status)
	}
	return hr.Hex()
}

// Hex returns the "0x%08X" form of hr ("0x80200002"), the spelling trace
// format v1 writes.
func (hr HRESULT) Hex() string {
	return fmt.Sprintf("0x%08X", hr.Uint32())
}

// ParseHRESULT reads an HRESULT written as a symbolic name ("E_FAIL",
// "BG_E_HTTP_ERROR_503"; upper or lower case) or in hex with a 0x prefix and
// one to eight digits ("0x80004005", "0x1"). Anything else is an error that
// quotes the text.
func ParseHRESULT(text string) (HRESULT, error) {
	if hr, ok := hresultByName[text]; ok {
		return hr, nil
	}
	if len(text) > 2 && (text[:2] == "0x" || text[:2] == "0X") {
		v, err := strconv.ParseUint(text[2:], 16, 32)
		if err == nil {
			return FromUint32(uint32(v)), nil
		}
		return 0, errNotHRESULT(text)
	}
	upper := strings.ToUpper(text)
	if hr, ok := hresultByName[upper]; ok {
		return hr, nil
	}
	if digits, ok := strings.CutPrefix(upper, httpErrorPrefix); ok && len(digits) == 3 && isDigits(digits) {
		status := int(digits[0]-'0')*100 + int(digits[1]-'0')*10 + int(digits[2]-'0')
		if status >= httpStatusLow && status <= httpStatusHigh {
			return BG_E_HTTP_ERROR(status), nil
		}
	}
	return 0, errNotHRESULT(text)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errNotHRESULT(text string) error {
	return fmt.Errorf("callbackabi: %q is not an HRESULT", text)
}

// KnownHRESULTs returns every HRESULT that has a name of its own, in the
// order of reference tables 2.7 and 2.8 (BG_E_HTTP_ERROR_nnn, which is
// computed, is not listed). The slice is a fresh copy.
func KnownHRESULTs() []HRESULT {
	out := make([]HRESULT, len(hresultTable))
	for i, e := range hresultTable {
		out[i] = e.hr
	}
	return out
}

// Description returns a short English description of hr, as
// IBackgroundCopyError::GetErrorDescription and
// IBackgroundCopyManager::GetErrorDescription return it in the model (the
// language id is ignored: the model speaks English only). Codes without a
// description give "Unknown error 0x%08X.".
func Description(hr HRESULT) string {
	if i, ok := hresultByCode[hr]; ok {
		return hresultTable[i].desc
	}
	if status, ok := hr.HTTPStatus(); ok {
		return "The server answered with HTTP status " + strconv.Itoa(status) + "."
	}
	return "Unknown error " + hr.Hex() + "."
}
