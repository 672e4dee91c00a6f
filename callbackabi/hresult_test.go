package callbackabi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestHRESULTStringParseRoundTripEveryName(t *testing.T) {
	known := KnownHRESULTs()
	require.Len(t, known, len(hresultTable))
	names := map[string]bool{}
	for _, hr := range known {
		name := hr.String()
		require.NotEqual(t, hr.Hex(), name, "%s has a name", hr.Hex())
		require.False(t, names[name], "name %s used twice", name)
		names[name] = true

		back, err := ParseHRESULT(name)
		require.NoError(t, err)
		assert.Equal(t, hr, back, name)
		back, err = ParseHRESULT(strings.ToLower(name))
		require.NoError(t, err)
		assert.Equal(t, hr, back, "lower-case %s", name)
		back, err = ParseHRESULT(hr.Hex())
		require.NoError(t, err)
		assert.Equal(t, hr, back, hr.Hex())
		assert.NotEmpty(t, Description(hr))
		assert.NotContains(t, Description(hr), "Unknown error", name)
	}
}

func TestKnownHRESULTsIsACopy(t *testing.T) {
	a := KnownHRESULTs()
	a[0] = E_FAIL
	assert.Equal(t, S_OK, KnownHRESULTs()[0])
}

// Every int32 prints as something ParseHRESULT reads back, by name and in hex.
func TestHRESULTRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		hr := HRESULT(rapid.Int32().Draw(t, "hr"))
		back, err := ParseHRESULT(hr.String())
		if err != nil || back != hr {
			t.Fatalf("ParseHRESULT(%q) = %v, %v; want %s", hr.String(), back.Hex(), err, hr.Hex())
		}
		back, err = ParseHRESULT(hr.Hex())
		if err != nil || back != hr {
			t.Fatalf("ParseHRESULT(%q) = %v, %v", hr.Hex(), back.Hex(), err)
		}
		if len(hr.Hex()) != 10 || !strings.HasPrefix(hr.Hex(), "0x") || strings.ToUpper(hr.Hex()[2:]) != hr.Hex()[2:] {
			t.Fatalf("Hex() = %q, want 0x%%08X", hr.Hex())
		}
	})
}

func TestHRESULTHex(t *testing.T) {
	assert.Equal(t, "0x00000000", S_OK.Hex())
	assert.Equal(t, "0x80200002", BG_E_INVALID_STATE.Hex())
	assert.Equal(t, "0x0020001A", BG_S_UNABLE_TO_DELETE_FILES.Hex())
	assert.Equal(t, "0x12345678", HRESULT(0x12345678).String(), "unnamed codes print in hex")
}

func TestParseHRESULTShortHex(t *testing.T) {
	hr, err := ParseHRESULT("0x1")
	require.NoError(t, err)
	assert.Equal(t, S_FALSE, hr)
	hr, err = ParseHRESULT("0X8020000c")
	require.NoError(t, err)
	assert.Equal(t, BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, hr)
}

func TestParseHRESULTRejectsMalformedAndQuotesIt(t *testing.T) {
	bad := []string{
		"", "0x", "0xZZ", "0x123456789", "0x-1", "0x+1", "0x1_0", "80004005", "-2147467259",
		"S_OKAY", " S_OK", "E_FAIL ", "BG_E_HTTP_ERROR_", "BG_E_HTTP_ERROR_99",
		"BG_E_HTTP_ERROR_600", "BG_E_HTTP_ERROR_0404", "BG_E_HTTP_ERROR_+40", "BG_E_HTTP_ERROR_4O4",
	}
	for _, text := range bad {
		_, err := ParseHRESULT(text)
		require.Error(t, err, "%q", text)
		assert.Contains(t, err.Error(), `"`+text+`"`, "the error quotes the text")
		assert.Contains(t, err.Error(), "is not an HRESULT")
	}
	_, err := ParseHRESULT("0xZZ")
	assert.EqualError(t, err, `callbackabi: "0xZZ" is not an HRESULT`)
}

// G23: the dead-peer codes are failures, so a dispatcher that sees them
// treats the call as failed.
func TestDeadPeerCodesAreFailures_G23(t *testing.T) {
	for _, hr := range []HRESULT{RPC_E_DISCONNECTED, CO_E_OBJNOTCONNECTED, RPC_S_SERVER_UNAVAILABLE, RPC_S_CALL_FAILED, RPC_E_SERVERFAULT} {
		assert.True(t, hr.Failed(), hr.String())
		assert.False(t, hr.Succeeded(), hr.String())
	}
}

// Ambiguity 1 / G20: S_FALSE is a success code but not S_OK.
func TestSFalseIsSuccessButNotSOK_G20(t *testing.T) {
	assert.True(t, S_FALSE.Succeeded())
	assert.NotEqual(t, S_OK, S_FALSE)
	assert.Equal(t, "S_FALSE", S_FALSE.String())
}

func TestDescription(t *testing.T) {
	assert.Contains(t, Description(BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION), "try again", "G20: BITS retries after a callback error")
	assert.Contains(t, Description(BG_E_INSUFFICIENT_RANGE_SUPPORT), "Range", "G48")
	assert.Equal(t, "The server answered with HTTP status 404.", Description(BG_E_HTTP_ERROR(404)))
	assert.Equal(t, "Unknown error 0x80123456.", Description(FromUint32(0x80123456)))
	// Descriptions are distinct enough to tell codes apart in a log.
	seen := map[string]HRESULT{}
	for _, hr := range KnownHRESULTs() {
		d := Description(hr)
		if prev, dup := seen[d]; dup {
			t.Errorf("%s and %s share the description %q", prev, hr, d)
		}
		seen[d] = hr
	}
}
