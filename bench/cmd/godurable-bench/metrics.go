package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// sections in the order of the table.
var sections = []string{secSize, secCold, secStateless, secStream, secD1, secKV, secR2, secCache, secPG, secHot, secMany, secRPC, secNew, secChat, secQueue, secMemory, secHop}

func sectionRank(s string) int {
	for i, x := range sections {
		if x == s {
			return i
		}
	}
	return len(sections)
}

var nan = math.NaN()

// Sides of a measurement.
const (
	sideGo     = "go"     // godurable
	sideJS     = "js"     // the JavaScript twin
	sideSyumai = "syumai" // github.com/syumai/workers, when given
	sideBase   = "base"   // godurable at another commit (-base), when given
	sideFloor  = "floor"  // the floor of a Go event (bench/proto), in the memory session
)

// better says which way a figure is good.
type better int

const (
	higher better = iota + 1
	lower
	neither
)

// metric is one row of the results: samples per side, one per round.
type metric struct {
	section, name, unit string
	better              better
	vals                map[string][]float64
	notes               map[string]string // a side's cell text instead of a number
}

func (m *metric) add(side string, v float64) { m.vals[side] = append(m.vals[side], v) }

func (m *metric) note(side, text string) { m.notes[side] = text }

func (m *metric) value(side string) float64 { return median(m.vals[side]) }

// metrics keeps rows in the order they were first named.
type metrics struct {
	order []*metric
	byKey map[string]*metric
}

func (ms *metrics) get(section, name, unit string, b better) *metric {
	if ms.byKey == nil {
		ms.byKey = map[string]*metric{}
	}
	key := section + "\x00" + name
	if m := ms.byKey[key]; m != nil {
		return m
	}
	m := &metric{section: section, name: name, unit: unit, better: b, vals: map[string][]float64{}, notes: map[string]string{}}
	ms.byKey[key] = m
	ms.order = append(ms.order, m)
	return m
}

func (m *metric) cell(side string) string {
	if t, ok := m.notes[side]; ok {
		return t
	}
	v := m.value(side)
	if math.IsNaN(v) {
		return "—"
	}
	return formatValue(v, m.unit)
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "bytes":
		switch {
		case math.Abs(v) >= 1<<20:
			return fmt.Sprintf("%.2f MiB", v/(1<<20))
		case math.Abs(v) >= 1<<10:
			return fmt.Sprintf("%.1f KiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0f B", v)
	case "ms":
		if math.Abs(v) >= 100 {
			return fmt.Sprintf("%.0f ms", v)
		}
		return fmt.Sprintf("%.2f ms", v)
	case "µs":
		return fmt.Sprintf("%.0f µs", v)
	case "s":
		return fmt.Sprintf("%.2f s", v)
	default:
		if math.Abs(v) >= 100 {
			return fmt.Sprintf("%.0f %s", v, unit)
		}
		return fmt.Sprintf("%.1f %s", v, unit)
	}
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func (b better) String() string {
	switch b {
	case higher:
		return "higher is better"
	case lower:
		return "lower is better"
	}
	return ""
}

// table renders the rows that have a value for side a or b as a Markdown
// table with the ratio a/b.
func (ms *metrics) table(a, b, titleA, titleB string) string {
	var sb strings.Builder
	rows := append([]*metric(nil), ms.order...)
	sort.SliceStable(rows, func(i, j int) bool { return sectionRank(rows[i].section) < sectionRank(rows[j].section) })
	fmt.Fprintf(&sb, "| Measurement | %s | %s | %s/%s | |\n|---|--:|--:|--:|---|\n", titleA, titleB, titleA, titleB)
	section := ""
	for _, m := range rows {
		if len(m.vals[a])+len(m.vals[b])+len(m.notes[a])+len(m.notes[b]) == 0 {
			continue
		}
		if m.section != section {
			section = m.section
			fmt.Fprintf(&sb, "| **%s** | | | | |\n", section)
		}
		r := ratio(m.value(a), m.value(b))
		if _, ok := m.notes[a]; ok {
			r = "—"
		}
		if _, ok := m.notes[b]; ok {
			r = "—"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", m.name, m.cell(a), m.cell(b), r, m.better)
	}
	return sb.String()
}

// roundRatios lists, for the rows with values for both a and b, the ratio
// a/b of each round.
func (ms *metrics) roundRatios(a, b string) string {
	var sb strings.Builder
	for _, m := range ms.order {
		va, vb := m.vals[a], m.vals[b]
		if len(va) == 0 || len(va) != len(vb) {
			continue
		}
		rs := make([]string, len(va))
		for i := range va {
			rs[i] = ratio(va[i], vb[i])
		}
		fmt.Fprintf(&sb, "- %s, %s: %s\n", m.section, m.name, strings.Join(rs, " "))
	}
	return sb.String()
}
