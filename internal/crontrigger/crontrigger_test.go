package crontrigger

import (
	"strings"
	"testing"
	"time"
)

// from is a Thursday, 2026-01-01 00:00 UTC.
var from = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func next(t *testing.T, expr string, n int) []string {
	t.Helper()
	s, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	var out []string
	for at := from; len(out) < n; {
		at = s.Next(at)
		if at.IsZero() {
			break
		}
		out = append(out, at.Format("Mon 2006-01-02 15:04"))
	}
	return out
}

// TestCloudflareExamples: the examples of Cloudflare's documentation of
// Cron Triggers fire when it says they do.
func TestCloudflareExamples(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string
	}{
		{"* * * * *", []string{"Thu 2026-01-01 00:01", "Thu 2026-01-01 00:02"}},
		{"*/30 * * * *", []string{"Thu 2026-01-01 00:30", "Thu 2026-01-01 01:00"}},
		{"45 * * * *", []string{"Thu 2026-01-01 00:45", "Thu 2026-01-01 01:45"}},
		// Sunday is 1 and SUN, as Cloudflare numbers the days.
		{"0 17 * * sun", []string{"Sun 2026-01-04 17:00", "Sun 2026-01-11 17:00"}},
		{"0 17 * * 1", []string{"Sun 2026-01-04 17:00", "Sun 2026-01-11 17:00"}},
		{"10 7 * * mon-fri", []string{"Thu 2026-01-01 07:10", "Fri 2026-01-02 07:10", "Mon 2026-01-05 07:10"}},
		{"10 7 * * 2-6", []string{"Thu 2026-01-01 07:10", "Fri 2026-01-02 07:10", "Mon 2026-01-05 07:10"}},
		{"0 15 1 * *", []string{"Thu 2026-01-01 15:00", "Sun 2026-02-01 15:00"}},
		// The last Friday of the month.
		{"0 18 * * 6L", []string{"Fri 2026-01-30 18:00", "Fri 2026-02-27 18:00"}},
		{"0 18 * * friL", []string{"Fri 2026-01-30 18:00", "Fri 2026-02-27 18:00"}},
		// The last weekday of the month (2026-05-31 is a Sunday).
		{"59 23 LW 5 *", []string{"Fri 2026-05-29 23:59"}},
		{"*/3 * * * *", []string{"Thu 2026-01-01 00:03"}},
		{"0 0 L * *", []string{"Sat 2026-01-31 00:00", "Sat 2026-02-28 00:00"}},
		// The weekday nearest the 3rd (a Saturday in January 2026).
		{"0 0 3W 1 *", []string{"Fri 2026-01-02 00:00"}},
		// The first Monday; L alone is Saturday, 7 too.
		{"0 0 * * 2#1", []string{"Mon 2026-01-05 00:00", "Mon 2026-02-02 00:00"}},
		{"0 0 * * L", []string{"Sat 2026-01-03 00:00", "Sat 2026-01-10 00:00"}},
		{"0 0 * * 7", []string{"Sat 2026-01-03 00:00"}},
		{"0 0 * * SUN-SUN", []string{"Sun 2026-01-04 00:00", "Sun 2026-01-11 00:00"}},
		// Both days restricted: either matches, as in crontab.
		{"0 0 2 * MON", []string{"Fri 2026-01-02 00:00", "Mon 2026-01-05 00:00"}},
		{"0 9 * JAN,aug *", []string{"Thu 2026-01-01 09:00"}},
		{"0-10/5 1 * * *", []string{"Thu 2026-01-01 01:00", "Thu 2026-01-01 01:05", "Thu 2026-01-01 01:10", "Fri 2026-01-02 01:00"}},
	} {
		if got := next(t, c.expr, len(c.want)); strings.Join(got, ", ") != strings.Join(c.want, ", ") {
			t.Errorf("%q fires %v, want %v", c.expr, got, c.want)
		}
	}
}

// TestErrors: an expression Cloudflare refuses is refused, naming the
// field and why.
func TestErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"* * * *":          `has 4 fields; Cloudflare's have 5`,
		"0 * * * * *":      `has 6 fields`,
		"@daily":           `has 1 fields`,
		"60 * * * *":       `minute "60": syntax error in minute field: '60'`,
		"* 24 * * *":       `hour "24": syntax error`,
		"* * 0 * *":        `day-of-month "0": syntax error`,
		"* * * 13 *":       `month "13": syntax error`,
		"0 0 * * 0":        `day-of-week "0": day 0: Cloudflare numbers the days of the week from 1 (SUN) to 7 (SAT)`,
		"0 0 * * 8":        `day 8`,
		"0 0 * * 1-8":      `day 8`,
		"0 0 ? * MON":      `day-of-month "?": '?' is not in Cloudflare's syntax: write *`,
		"0 0 * * MONDAY":   `day-of-week "MONDAY": "MONDAY" is not in Cloudflare's syntax for the day-of-week (SUN to SAT, L)`,
		"0 0 * january *":  `month "january": "january" is not in Cloudflare's syntax for the month (JAN to DEC)`,
		"0 0 * * MON#6":    `day-of-week "MON#6": syntax error`,
		"*/0 * * * *":      `minute "*/0": invalid interval`,
		"*/60 * * * *":     `minute "*/60": invalid interval`,
		"a * * * *":        `minute "a": "a" is not in Cloudflare's syntax for the minute (numbers only)`,
		"0 0 1,,2 * *":     `day-of-month "1,,2": an empty item`,
		"0 0 15W,1 * *":    ``, // cronexpr accepts a W in a list; so does Parse
		"0 0 L-3 * *":      `day-of-month "L-3": "L-3": Cloudflare accepts L-n`,
		"0 22-2 * * *":     `hour "22-2": the range "22-2" wraps around`,
		"0 0 * * FRI-MON":  `the range "FRI-MON" wraps around`,
		"0 0 * DEC-JAN *":  `wraps around`,
		"0 0 * * 6#3,2L,L": ``,
	} {
		_, err := Parse(expr)
		switch {
		case want == "" && err != nil:
			t.Errorf("Parse(%q): %v", expr, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("Parse(%q) = %v, want an error with %q", expr, err, want)
		}
	}
}

// TestDifferences: what cronexpr reads differently from Cloudflare, as
// the package documentation says.
func TestDifferences(t *testing.T) {
	// Steps beyond the field's span: Cloudflare refuses them, Parse lets
	// them through (the first day or month only).
	if got := next(t, "0 0 */31 * *", 2); strings.Join(got, ", ") != "Sun 2026-02-01 00:00, Sun 2026-03-01 00:00" {
		t.Errorf("*/31 in the day of the month fires %v", got)
	}
	if got := next(t, "0 0 1 */12 *", 2); strings.Join(got, ", ") != "Fri 2027-01-01 00:00, Sat 2028-01-01 00:00" {
		t.Errorf("*/12 in the month fires %v", got)
	}
	// February 31st: Cloudflare accepts it, and it never fires.
	if got := next(t, "0 0 31 2 *", 1); len(got) != 0 {
		t.Errorf("0 0 31 2 * fires %v", got)
	}
	// cronexpr stops at 2099.
	s, _ := Parse("0 0 1 1 *")
	if at := s.Next(time.Date(2099, 6, 1, 0, 0, 0, 0, time.UTC)); !at.IsZero() {
		t.Errorf("Next after mid-2099 = %v, want the zero time", at)
	}
}

// TestNextIsUTC: Next reads and returns UTC, whatever t's location.
func TestNextIsUTC(t *testing.T) {
	s, err := Parse("0 12 * * *")
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("UTC+10", 10*3600)
	at := s.Next(time.Date(2026, 1, 1, 21, 0, 0, 0, loc)) // 11:00 UTC
	if want := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC); !at.Equal(want) || at.Location() != time.UTC {
		t.Errorf("Next = %v, want %v", at, want)
	}
	if s.String() != "0 12 * * *" {
		t.Errorf("String = %q", s)
	}
}
