package dotest_test

import (
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A Worker whose binding ROOMS has script_name = "rooms" reaches the
// objects of another Worker: the test starts that Worker too and hands it
// over by its name. Options also add variables, secrets and D1 databases
// to those of the wrangler configuration, and choose the clock.
func ExampleOptions() {
	var t *testing.T // the test's
	rooms := dotest.New(t, &dotest.Options{Package: "../rooms"})
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	w := dotest.New(t, &dotest.Options{
		Scripts: map[string]*dotest.Worker{"rooms": rooms},
		Vars:    map[string]any{"GREETING": "hello"},
		Secrets: map[string]string{"API_KEY": "test"},
		D1:      []string{"DB"},
		Clock:   clock,
	})
	lobby := w.Object("ROOMS", "lobby") // an object of the rooms Worker, as the binding reaches it
	_ = lobby
	clock.Advance(time.Minute) // the guest's timers and alarms that fall due run now
}
