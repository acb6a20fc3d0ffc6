package main

import (
	"strings"
	"testing"

	"github.com/godurable/godurable/bench/cpuprof"
)

// TestEventTable checks the table of one event by group: µs per event,
// medians over the rounds, and nothing on the JavaScript side for what
// only Go has.
func TestEventTable(t *testing.T) {
	ph := profPhase{key: "ws-echo", title: "echo"}
	run := func(side string, sched, user float64) *profRun {
		return &profRun{phase: ph.key, side: side, calls: 10, plainUS: 300, targetSummary: &cpuprof.Summary{
			Duration: 1000,
			Self:     map[string]float64{cpuprof.GroupGoSched: sched, cpuprof.GroupUserJS: user},
			DetailTotal: map[string]float64{
				cpuprof.GroupShim + "\x00sql.exec (anonymous:12)": 40,
			},
		}}
	}
	runs := []*profRun{run(sideGo, 100, 0), run(sideGo, 300, 0), run(sideGo, 200, 0), run(sideJS, 0, 70), {phase: "other", side: sideGo}}
	var w strings.Builder
	writeEventTable(&w, ph, runs, sideJS, "here")
	for _, want := range []string{
		"| µs per event | Go | JavaScript |",
		"| wall time, profiler off | 300 | 300 |",
		"| **busy in the isolate, profiler on** | **100.0** | **100.0** |",
		"| all Go (wasm) code | 20.0 | — |",
		"| Go: scheduler, goroutines, channels | 20.0 | — |",
		"| user JS (the JavaScript twin) | 0.0 | 7.0 |",
		"| inclusive: the host operation sql.exec (shim, workerd's natives) | 4.0 | — |",
		"Go: here; 3 rounds.",
	} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("no %q in\n%s", want, w.String())
		}
	}
}
