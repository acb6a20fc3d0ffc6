package abi

import "reflect"

// The object's alarm. Its operations are asynchronous because workerd's
// are: they return promises, even for SQLite-backed objects. Their codes
// are in the first block.

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncAlarmGet AsyncOp = 4
	AsyncAlarmSet AsyncOp = 5
	AsyncAlarmDel AsyncOp = 6
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpAlarmGet is the descriptor of alarm.get.
	OpAlarmGet = Async[Empty, *float64]{Code: AsyncAlarmGet}
	// OpAlarmSet is the descriptor of alarm.set.
	OpAlarmSet = Async[float64, Empty]{Code: AsyncAlarmSet}
	// OpAlarmDel is the descriptor of alarm.delete.
	OpAlarmDel = Async[Empty, Empty]{Code: AsyncAlarmDel}
)

// alarmOps are the rows of the table for the operations above.
func alarmOps() feature {
	return feature{
		name:  "alarms",
		codes: codeRange{},
		asyncs: []OpInfo{
			{Code: int32(AsyncAlarmGet), Name: "alarm.get", Object: true, Fault: "alarm.get",
				Result: reflect.TypeFor[*float64](),
				Doc:    "the time of the object's alarm in ms since the epoch, or nil when none is set"},
			{Code: int32(AsyncAlarmSet), Name: "alarm.set", Object: true, Fault: "alarm.set",
				Request: reflect.TypeFor[float64](),
				Doc:     "set the object's alarm to a time in ms since the epoch (a past time is now)"},
			{Code: int32(AsyncAlarmDel), Name: "alarm.delete", Object: true, Fault: "alarm.delete",
				Doc: "delete the object's alarm"},
		},
	}
}
