package sqlvalue

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
)

type celsius float64

type valuer struct{}

func (valuer) Value() (driver.Value, error) { return "from valuer", nil }

func TestArg(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, tc := range []struct {
		in   any
		want any
		err  string
	}{
		{nil, nil, ""},
		{true, int64(1), ""},
		{false, int64(0), ""},
		{int8(-3), int64(-3), ""},
		{uint32(7), int64(7), ""},
		{int64(abi.MaxSafeInteger), int64(abi.MaxSafeInteger), ""},
		{int64(abi.MaxSafeInteger + 1), nil, "safe range"},
		{uint64(math.MaxUint64), nil, "safe range"},
		{float32(1.5), 1.5, ""},
		{"s", "s", ""},
		{[]byte{1}, []byte{1}, ""},
		{ts, "2026-01-02T03:04:05.000000006Z", ""},
		{valuer{}, "from valuer", ""},
		{struct{}{}, nil, "unsupported type struct {}"},
		{celsius(2), 2.0, ""},
		{(*int)(nil), nil, ""},
		{(*sql.NullString)(nil), nil, ""},
		{&sql.NullInt64{Int64: 3, Valid: true}, int64(3), ""},
		{new(int16), int64(0), ""},
	} {
		got, err := Arg(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Arg(%#v) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Arg(%#v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	if _, err := Arg(int64(1) << 60); !errors.Is(err, abi.ErrUnsafeInteger) {
		t.Errorf("unsafe integer error does not match ErrUnsafeInteger: %v", err)
	}
}

func TestRFC3339(t *testing.T) {
	for s, want := range map[string]bool{
		"2026-01-02T03:04:05Z":                true,
		"2026-01-02T03:04:05.5Z":              true,
		"2026-01-02T03:04:05.123456789-07:00": true,
		"2026-01-02T03:04:05.50Z":             false, // Format writes .5
		"2026-01-02T03:04:05+00:00":           false, // Format writes Z
		"2026-01-02 03:04:05":                 false,
		"2026-01-02T03:04:05":                 false,
		"2026-13-02T03:04:05Z":                false,
		"hello, world, a long text":           false,
	} {
		if _, ok := RFC3339(s); ok != want {
			t.Errorf("RFC3339(%q) = %v", s, ok)
		}
	}
}
