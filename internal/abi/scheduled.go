package abi

// ScheduledInfo is the payload of EventScheduled: what workerd's
// ScheduledController tells the handler.
type ScheduledInfo struct {
	// Cron is the expression of the trigger that fired, as the
	// configuration spells it.
	Cron string `msgpack:"cron"`
	// ScheduledTime is when the trigger was due, in ms since the epoch.
	ScheduledTime float64 `msgpack:"scheduledTime"`
}

// ScheduledResult is the result of EventScheduled. The event always
// completes with it, a failure of the handler included, so that whether
// the handler called noRetry crosses with its error: the host calls the
// controller's noRetry, then throws Error.
type ScheduledResult struct {
	NoRetry bool   `msgpack:"noRetry"`
	Error   *Error `msgpack:"error,omitempty"`
}
