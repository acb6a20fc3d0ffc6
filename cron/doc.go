// Package cron runs a Worker's code on a schedule: [Handle] registers
// its scheduled handler, which runs when one of the cron triggers of its
// configuration fires:
//
//	[triggers]
//	crons = ["*/5 * * * *", "0 3 * * MON-FRI"]
//
// The [Event] says which trigger fired ([Event.Cron], the expression as
// the configuration spells it) and when it was due ([Event.ScheduledTime],
// UTC): workerd's ScheduledController. The handler's ctx serves
// worker.Fetch, Durable Object stubs, D1 and worker.WaitUntil, as a
// request's does; it has no client to go away. Expressions have
// Cloudflare's syntax, in UTC: five fields, names (JAN, MON), L, W and #,
// and days of the week numbered 1 (SUN) to 7 (SAT), not 0 to 6 as in
// crontab; wasmbuild check refuses an expression that Cloudflare would
// refuse, and cron triggers without a scheduled handler.
//
//	func init() {
//		cron.Handle(func(ctx context.Context, e *cron.Event) error {
//			if e.Cron == "0 3 * * MON-FRI" {
//				return report(ctx, e.ScheduledTime)
//			}
//			return sweep(ctx)
//		})
//	}
//
// # Failures
//
// An error or a panic fails the event: workerd records the outcome
// "exception" (the status of the run in the dashboard's Cron Events).
// [Event.NoRetry] is the controller's noRetry(): it asks the runtime not
// to retry the event, which workerd reports to whatever sent the event;
// when Cloudflare retries a failed scheduled event, its documentation does
// not say.
//
// # Locally
//
// Nothing fires a cron trigger by itself in wrangler dev, and nothing
// retries a failed run. wasmbuild dev runs wrangler dev with
// --test-scheduled, which adds the route GET /__scheduled?cron=... to the
// Worker: it runs the handler with that cron and the time of the request,
// and answers 200 "Ran scheduled event", or 500 with the handler's error
// (its NoRetry does nothing there). wrangler dev also serves
// /cdn-cgi/local/scheduled?cron=...&time=MS&format=json, which delivers
// the event as workerd does and answers {"outcome", "noRetry"}.
//
// In a test, dotest's Worker.Scheduled runs the handler on demand, and
// the configuration's triggers fire by themselves on the Worker's clock
// (see the dotest package).
//
// A Worker that does not import this package has no scheduled handler
// and pays nothing for it in its module.
package cron
