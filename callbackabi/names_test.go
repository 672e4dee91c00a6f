package callbackabi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestNotifyFlagsString_G1(t *testing.T) {
	cases := []struct {
		f    NotifyFlags
		want string
	}{
		{0, "0"},
		{NotifyFlagsDefault, "JOB_TRANSFERRED|JOB_ERROR"},
		{BG_NOTIFY_DISABLE | BG_NOTIFY_JOB_TRANSFERRED, "JOB_TRANSFERRED|DISABLE"},
		{NotifyFlagsValid, "JOB_TRANSFERRED|JOB_ERROR|DISABLE|JOB_MODIFICATION|FILE_TRANSFERRED|FILE_RANGES_TRANSFERRED"},
		{0x40, "0x40"},
		{BG_NOTIFY_JOB_ERROR | 0xC0, "JOB_ERROR|0xC0"},
		{0xFFFFFFFF, "JOB_TRANSFERRED|JOB_ERROR|DISABLE|JOB_MODIFICATION|FILE_TRANSFERRED|FILE_RANGES_TRANSFERRED|0xFFFFFFC0"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.f.String())
	}
}

func TestParseNotifyFlagsForms(t *testing.T) {
	cases := map[string]NotifyFlags{
		"JOB_TRANSFERRED|JOB_ERROR":                     NotifyFlagsDefault,
		"BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_DISABLE": BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_DISABLE,
		"3":                     3,
		"0x3F":                  NotifyFlagsValid,
		"0":                     0,
		"FILE_TRANSFERRED|0x40": BG_NOTIFY_FILE_TRANSFERRED | 0x40,
	}
	for text, want := range cases {
		got, err := ParseNotifyFlags(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)
	}
}

func TestParseNotifyFlagsRejectsMalformedAndQuotesIt(t *testing.T) {
	for _, text := range []string{"", "|", "JOB_TRANSFERRED|", "job_transferred", "0x", "0xG", "-1", "+1", "1e3", "0x100000000", "JOB_TRANSFERRED,JOB_ERROR"} {
		_, err := ParseNotifyFlags(text)
		require.Error(t, err, "%q", text)
		assert.Contains(t, err.Error(), `"`+text+`"`)
	}
}

func TestNotifyFlagsRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := NotifyFlags(rapid.Uint32().Draw(t, "flags"))
		back, err := ParseNotifyFlags(f.String())
		if err != nil || back != f {
			t.Fatalf("ParseNotifyFlags(%q) = %#x, %v; want %#x", f.String(), uint32(back), err, uint32(f))
		}
	})
}

func TestEnumStringsOutsideTheTables(t *testing.T) {
	assert.Equal(t, "JobPriority(4)", JobPriority(4).String())
	assert.Equal(t, "JobType(3)", JobType(3).String())
	assert.Equal(t, "ErrorContext(8)", ErrorContext(8).String())
	assert.Equal(t, "JobPropertyID(6)", JobPropertyID(6).String())
	assert.Equal(t, "JobPropertyID(0)", JobPropertyID(0).String())
	assert.Equal(t, "JobPropertyID(11)", JobPropertyID(11).String())
	assert.Equal(t, "JobPropertyID(8)", JobPropertyID(8).SDKName())
	assert.Equal(t, "JobState(9)", JobState(9).String())
	assert.Equal(t, "Unknown error context 8.", ContextDescription(8))
}

func TestEnumParseRejectsUnknownNamesAndQuotesThem(t *testing.T) {
	_, err := ParseJobPriority("URGENT")
	assert.EqualError(t, err, `callbackabi: "URGENT" is not a BG_JOB_PRIORITY name`)
	_, err = ParseJobPriority("BG_JOB_PRIORITY_")
	assert.Error(t, err)
	_, err = ParseJobType("download")
	assert.EqualError(t, err, `callbackabi: "download" is not a BG_JOB_TYPE name`)
	_, err = ParseErrorContext("BG_ERROR_CONTEXT_DISK")
	assert.EqualError(t, err, `callbackabi: "BG_ERROR_CONTEXT_DISK" is not a BG_ERROR_CONTEXT name`)
	_, err = ParseJobPropertyID("BITS_JOB_PROPERTY_COST_FLAGS") // the SDK spells it ..._ID_COST_FLAGS
	assert.EqualError(t, err, `callbackabi: "BITS_JOB_PROPERTY_COST_FLAGS" is not a BITS_JOB_PROPERTY name`)
	_, err = ParseJobPropertyID("")
	assert.Error(t, err)
}

// Every enum value's String parses back to it.
func TestEnumRoundTrips(t *testing.T) {
	for p := JobPriority(0); p.Valid(); p++ {
		back, err := ParseJobPriority(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, back)
	}
	for ty := range JobType(len(jobTypeNames)) {
		back, err := ParseJobType(ty.String())
		require.NoError(t, err)
		assert.Equal(t, ty, back)
	}
	for c := range ErrorContext(len(errorContextNames)) {
		back, err := ParseErrorContext(c.String())
		require.NoError(t, err)
		assert.Equal(t, c, back)
		back, err = ParseErrorContext("BG_ERROR_CONTEXT_" + c.String())
		require.NoError(t, err)
		assert.Equal(t, c, back)
	}
}

func TestApartmentString(t *testing.T) {
	require.Equal(t, "MTA", MTA.String())
	require.Equal(t, "STA", STA.String())
	require.Equal(t, Apartment(0), MTA, "the zero value is the multithreaded apartment")
}
