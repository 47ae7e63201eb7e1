// Package cron reads the schedules of an app's scheduled jobs (the five
// fields of crontab(5) and the @daily, @hourly, @weekly, @monthly and
// @yearly shorthands) and computes when a schedule is next due, in UTC or in
// a named time zone.
//
// It is pure computation and imports only the standard library. The engine
// validates schedules with Parse when jobs are added (by hand or from
// app.json at a push) and its scheduler asks Schedule.Next for each job's
// next slot.
//
// Daylight saving time follows Vixie cron. A job whose hour field is fixed
// (0 3 * * *) runs once per local wall-clock time: when the clock jumps
// forward over its time it runs at the jump, and when the clock falls back
// and repeats its time it runs only the first time. A job whose hour field
// starts with * (*/15 * * * *, 0 */2 * * *) follows real minutes: it runs
// at each matching local time that actually occurs, twice in a repeated
// hour and not at all in a skipped one.
package cron
