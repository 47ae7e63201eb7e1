package engine

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/quayside/quayside/engine/cron"
)

// Bounds and defaults of scheduled jobs.
const (
	// MaxCronJobs is how many jobs one app may have, by hand and from
	// app.json together.
	MaxCronJobs = 50
	// DefaultCronTimeout is how long a run may take unless its job says.
	DefaultCronTimeout = time.Hour
	// MaxCronTimeout is the longest timeout a job may set.
	MaxCronTimeout = 24 * time.Hour
	// MaxCronCommand bounds the bytes of a job's command.
	MaxCronCommand = 4096
	// cronLateAfter is how late a slot may start before its run says it
	// makes up for a slot missed while the server was down.
	cronLateAfter = 2 * time.Minute
)

// Where a job comes from.
const (
	CronSourceManual  = "manual"
	CronSourceAppJSON = "app.json"
)

// What a job does when it is due while its previous run still goes.
const (
	CronOverlapSkip  = "skip"
	CronOverlapQueue = "queue"
)

// How a run ended.
const (
	CronRunning     = "running"
	CronSucceeded   = "succeeded"
	CronFailed      = "failed"
	CronTimedOut    = "timed out"
	CronSkipped     = "skipped"
	CronQueued      = "queued"
	CronInterrupted = "interrupted"
)

// Event kinds of scheduled jobs.
const (
	EventCronFailed = "cron.failed"
	EventCronMissed = "cron.missed"
)

// CronJob is a command run on a schedule in one-off containers of its app's
// current release.
type CronJob struct {
	ID  int64
	App string
	// Name is unique within the app: lowercase letters, digits and dashes.
	Name     string
	Schedule string
	// TimeZone is an IANA name; "" means UTC.
	TimeZone string
	Command  []string
	Timeout  time.Duration
	Overlap  string
	Source   string
	Paused   bool
	// NextRun is the next slot the scheduler will claim; zero while paused
	// or when the schedule has no further slot.
	NextRun   time.Time
	CreatedBy string
	CreatedAt time.Time
}

// CronRun is one run of a job, or one slot it skipped.
type CronRun struct {
	ID  int64
	App string
	Job string
	// Slot is the scheduled time the run is for; zero for runs started by
	// hand.
	Slot time.Time
	// Trigger says who or what started it: "schedule", "missed" (a slot
	// missed while the server was down), "queued", or "manual by <user>".
	Trigger    string
	Status     string
	ExitCode   int
	Message    string
	StartedAt  time.Time
	FinishedAt time.Time
}

// Duration is how long a finished run took, 0 while it runs.
func (r *CronRun) Duration() time.Duration {
	if r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// MaxCronHistory is how many runs of each job the history keeps.
const MaxCronHistory = 200

// CronStore keeps scheduled jobs and their runs.
type CronStore interface {
	// AddCronJob stores j, setting ID and CreatedAt: ECONFLICT if the app
	// has a job of that name, EINVALID past MaxCronJobs.
	AddCronJob(ctx context.Context, j *CronJob) error
	// ReplaceAppJSONCronJobs replaces the app's jobs from app.json with
	// jobs in one transaction, keeping the hand-added ones; a name a
	// hand-added job has is ECONFLICT.
	ReplaceAppJSONCronJobs(ctx context.Context, app string, jobs []*CronJob) error
	FindCronJob(ctx context.Context, app, name string) (*CronJob, error)
	// ListCronJobs returns the app's jobs by name, every app's when "".
	ListCronJobs(ctx context.Context, app string) ([]*CronJob, error)
	RemoveCronJob(ctx context.Context, app, name string) error
	// SetCronPaused pauses or resumes a job and sets its next slot.
	SetCronPaused(ctx context.Context, app, name string, paused bool, next time.Time) error
	// ClaimCronSlot moves the job's next slot from slot to next and
	// records run, in one transaction, only if the job's next slot is
	// still slot and it is not paused; otherwise it records nothing and
	// returns ECONFLICT. A slot is claimed at most once, across restarts.
	ClaimCronSlot(ctx context.Context, jobID int64, slot, next time.Time, run *CronRun) error
	// AddCronRun records a run started by hand (or from the queue).
	AddCronRun(ctx context.Context, jobID int64, run *CronRun) error
	// UpdateCronRun records run's status, exit code, message and times.
	UpdateCronRun(ctx context.Context, run *CronRun) error
	// InterruptCronRuns marks runs still recorded as running (the server
	// stopped during them) as interrupted and returns how many.
	InterruptCronRuns(ctx context.Context, at time.Time) (int, error)
	// ListCronRuns returns up to limit runs of app (of one job when job is
	// not ""), newest first.
	ListCronRuns(ctx context.Context, app, job string, limit int) ([]*CronRun, error)
}

var cronNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

// ParseCronSchedule reads a job's schedule in its time zone, with a
// user-facing error naming the field that is wrong.
func ParseCronSchedule(spec, zone string) (*cron.Schedule, error) {
	loc, err := cron.LoadZone(zone)
	if err != nil {
		return nil, FieldError("time_zone", "%s", err.Error())
	}
	s, err := cron.Parse(spec, loc)
	if err != nil {
		return nil, FieldError("schedule", "schedule %q: %s", PlainText(spec), err.Error())
	}
	return s, nil
}

// validateCronJob checks j and fills its defaults.
func validateCronJob(j *CronJob) error {
	if !cronNameRE.MatchString(j.Name) {
		return FieldError("name", "job name %q is not valid: use 1-40 lowercase letters, digits and dashes, starting and ending with a letter or digit", PlainText(j.Name))
	}
	if _, err := ParseCronSchedule(j.Schedule, j.TimeZone); err != nil {
		return err
	}
	if err := validateCronCommand(j.Command); err != nil {
		return err
	}
	switch {
	case j.Timeout == 0:
		j.Timeout = DefaultCronTimeout
	case j.Timeout < time.Second || j.Timeout > MaxCronTimeout:
		return FieldError("timeout", "timeout %s is out of range: give one from 1s to %s", j.Timeout, MaxCronTimeout)
	}
	switch j.Overlap {
	case "":
		j.Overlap = CronOverlapSkip
	case CronOverlapSkip, CronOverlapQueue:
	default:
		return FieldError("overlap", "overlap %q is not known: use skip (the default) or queue", PlainText(j.Overlap))
	}
	if j.Source == "" {
		j.Source = CronSourceManual
	}
	return nil
}

// validateCronCommand checks a job's command: some arguments, no NUL, no
// more than MaxRunArgs and MaxCronCommand bytes.
func validateCronCommand(cmd []string) error {
	if len(cmd) == 0 || strings.TrimSpace(cmd[0]) == "" {
		return FieldError("command", "give the command to run, as in quayside cron add APP \"0 3 * * *\" -- bin/report")
	}
	if len(cmd) > MaxRunArgs {
		return FieldError("command", "the command has %d arguments: the limit is %d", len(cmd), MaxRunArgs)
	}
	n := 0
	for _, a := range cmd {
		n += len(a)
		if strings.ContainsRune(a, 0) {
			return FieldError("command", "the command contains a NUL byte: remove it")
		}
	}
	if n > MaxCronCommand {
		return FieldError("command", "the command is %d bytes long: the limit is %d; put longer scripts in the repository", n, MaxCronCommand)
	}
	return nil
}

// cronProcess is the process name a job's output is logged under.
func cronProcess(job string) string { return "cron." + job }
