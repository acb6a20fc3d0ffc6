// Package crontrigger reads the cron expressions of Cloudflare's Cron Triggers
// (the crons of a wrangler configuration's [triggers]) and tells when
// each fires, for wasmbuild check and for the model of workerd that
// dotest runs.
//
// Cloudflare reads five fields (minute, hour, day of the month, month,
// day of the week) in UTC, with lists, ranges and steps (* , - /) in
// every field, case-insensitive three-letter names of months (JAN) and
// days (MON), L and W in the day of the month (L the last day, LW the
// last weekday, 15W the weekday nearest the 15th), and L and # in the
// day of the week (6L the last Friday, 2#1 the first Monday). Its days
// of the week are numbered 1 (SUN) to 7 (SAT), as Quartz numbers them,
// not 0 (SUN) to 6 (SAT) as crontab does: "0 17 * * 1" is Sundays at
// 17:00, and a 0 is refused.
//
// The parser is github.com/hashicorp/cronexpr; this package gives it
// Cloudflare's syntax: it numbers the days of the week as Cloudflare
// does, and refuses what Cloudflare refuses that cronexpr would accept
// (other than five fields, '?', the day of the week 0, names longer than
// three letters). What the two still read differently is in Parse's
// documentation.
package crontrigger

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/cronexpr"
)

// Schedule is a parsed cron expression.
type Schedule struct {
	expr string
	mu   sync.Mutex // cronexpr's Next keeps state in the Expression
	e    *cronexpr.Expression
}

// field describes one of the five fields, for the translation to
// cronexpr's syntax.
type field struct {
	name string
	// names are the three-letter names of the field's values, from 1
	// (JAN, SUN) in Cloudflare's numbering; letters are the other letters
	// the field allows (L, W).
	names   []string
	letters string
}

var (
	months = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	days   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// tokens splits an item of a field into numbers, words and punctuation.
var tokens = regexp.MustCompile(`\d+|[A-Za-z]+|.`)

var fields = [5]field{
	{name: "minute"},
	{name: "hour"},
	{name: "day-of-month", letters: "LW"},
	{name: "month", names: months},
	{name: "day-of-week", names: days, letters: "L"},
}

const dayOfWeek = 4

// Parse parses expr as Cloudflare's Cron Triggers read it. An error names
// the field that is wrong and says why.
//
// What Parse and Cloudflare still read differently:
//
//   - a range that wraps around (FRI-MON, 22-2): Cloudflare reads it as
//     FRI-SAT,SUN-MON; Parse refuses it (cronexpr would read an empty set);
//   - L-n and L-nW in the day of the month (the nth day before the last,
//     and the weekday nearest it): Cloudflare accepts them; Parse refuses
//     them, because cronexpr does not know them;
//   - steps: Cloudflare refuses a step larger than the field's span
//     (*/31 in the day of the month, */12 in the month); cronexpr accepts
//     them (a step of 31 days or 12 months, so only the first day or
//     month);
//   - cronexpr stops at the year 2099: Next returns the zero time after
//     that.
func Parse(expr string) (*Schedule, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron %q has %d fields; Cloudflare's have 5: minute hour day-of-month month day-of-week", expr, len(parts))
	}
	var out [5]string
	for i, p := range parts {
		t, err := translate(&fields[i], i == dayOfWeek, p)
		if err == nil {
			probe := [5]string{"*", "*", "*", "*", "*"}
			probe[i] = t
			_, err = cronexpr.Parse(strings.Join(probe[:], " "))
		}
		if err != nil {
			return nil, fmt.Errorf("cron %q: %s %q: %w", expr, fields[i].name, p, err)
		}
		out[i] = t
	}
	e, err := cronexpr.Parse(strings.Join(out[:], " "))
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", expr, err)
	}
	return &Schedule{expr: expr, e: e}, nil
}

// translate rewrites p, a field of a Cloudflare expression, in cronexpr's
// syntax: names and, in the day of the week, Cloudflare's numbers become
// cronexpr's numbers. What it lets through, cronexpr judges.
func translate(f *field, dow bool, p string) (string, error) {
	items := strings.Split(p, ",")
	for i, item := range items {
		if dow && strings.EqualFold(item, "L") {
			items[i] = "6" // Cloudflare's L alone is the last day of the week, SAT
			continue
		}
		if strings.HasPrefix(strings.ToUpper(item), "L-") {
			return "", fmt.Errorf("%q: Cloudflare accepts L-n (the nth day before the last day of the month), but godurable's cron parser (hashicorp/cronexpr) does not; name the days", item)
		}
		if item == "" {
			return "", errors.New("an empty item between commas")
		}
		toks := tokens.FindAllString(item, -1)
		var values []int // the item's values, in order, for the check of ranges
		for j, tok := range toks {
			after := ""
			if j > 0 {
				after = toks[j-1]
			}
			switch {
			case tok == "?":
				return "", errors.New("'?' is not in Cloudflare's syntax: write *")
			case isDigits(tok) && (after == "/" || after == "#"):
				// A step or the n of day#n: not a value.
			case isDigits(tok):
				n, _ := strconv.Atoi(tok)
				if dow {
					if n < 1 || n > 7 {
						return "", fmt.Errorf("day %d: Cloudflare numbers the days of the week from 1 (SUN) to 7 (SAT)", n)
					}
					n-- // cronexpr's 0 (SUN) to 6 (SAT)
					toks[j] = strconv.Itoa(n)
				}
				values = append(values, n)
			case isLetters(tok):
				name, suffix := tok, ""
				if dow && len(tok) == 4 && strings.EqualFold(tok[3:], "L") {
					name, suffix = tok[:3], tok[3:] // FRIL: the last Friday
				}
				k := indexFold(f.names, name)
				switch {
				case k >= 0:
					n := k + 1
					if dow {
						n = k // cronexpr's 0 (SUN) to 6 (SAT)
					}
					toks[j] = strconv.Itoa(n) + suffix
					values = append(values, n)
				case strings.Trim(strings.ToUpper(tok), f.letters) == "":
				default:
					return "", fmt.Errorf("%q is not in Cloudflare's syntax for the %s%s", tok, f.name, allowedLetters(f))
				}
			}
		}
		if len(values) == 2 && len(toks) >= 3 && toks[1] == "-" {
			switch {
			case values[0] > values[1]:
				return "", fmt.Errorf("the range %q wraps around: Cloudflare reads it to the end and from the start, but godurable's cron parser (hashicorp/cronexpr) does not; write it as two ranges", item)
			case values[0] == values[1] && len(toks) == 3:
				toks = toks[:1] // cronexpr reads the day-of-week range 0-0 as every day
			}
		}
		items[i] = strings.Join(toks, "")
	}
	return strings.Join(items, ","), nil
}

func allowedLetters(f *field) string {
	var allowed []string
	if len(f.names) > 0 {
		allowed = append(allowed, f.names[0]+" to "+f.names[len(f.names)-1])
	}
	for _, l := range f.letters {
		allowed = append(allowed, string(l))
	}
	if len(allowed) == 0 {
		return " (numbers only)"
	}
	return " (" + strings.Join(allowed, ", ") + ")"
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isLetters(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func indexFold(names []string, s string) int {
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i
		}
	}
	return -1
}

// Next returns the first time after t (strictly) at which the schedule
// fires, in UTC, or the zero time if it never does again.
func (s *Schedule) Next(t time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.e.Next(t.UTC())
}

// String returns the expression as it was given.
func (s *Schedule) String() string { return s.expr }
