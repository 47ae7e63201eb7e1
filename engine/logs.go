package engine

import (
	"context"
	"time"
)

// Log line streams.
const (
	StreamStdout   = "stdout"
	StreamStderr   = "stderr"
	StreamPlatform = "platform" // written by Quayside: deploy steps and events
)

// MaxLogLineBytes is the longest line kept whole; longer output is split
// into lines of at most this size, each but the last ending with
// LogContinuedMarker.
const MaxLogLineBytes = 16 << 10

// MaxLogLineTotal is how much of one line is kept, in pieces; the rest is
// dropped and counted in the last piece's " [truncated N bytes]" marker.
const MaxLogLineTotal = 1 << 20

// LogContinuedMarker ends every piece of a split line but the last, so
// readers can join the pieces again.
const LogContinuedMarker = " [continued]"

// LogTruncatedMarker is the marker that ends a line cut after
// MaxLogLineTotal bytes, n being how many bytes were dropped.
func LogTruncatedMarker(n int) string { return " [truncated " + itoa(n) + " bytes]" }

// LogLine is one line an app's container printed, or a platform message
// about the app.
type LogLine struct {
	// Seq orders an app's lines; the log store assigns it.
	Seq     uint64
	Time    time.Time
	App     string
	Process string // "web", "worker", "release", "run", or "platform"
	Replica int
	Release int
	Stream  string
	Text    string
}

// LogQuery selects an app's log lines.
type LogQuery struct {
	App string
	// Since keeps lines at or after this time; zero means no bound.
	Since time.Time
	// Tail keeps only the last Tail lines of the selection; 0 means all,
	// NoHistory none (FollowLogs then delivers only new lines).
	Tail int
	// Process keeps lines of one process type ("" means all).
	Process string
}

// NoHistory as LogQuery.Tail asks for no history, only new lines.
const NoHistory = -1

// LogStore keeps each app's log history, capped in size (oldest dropped
// first), and fans new lines out to followers.
type LogStore interface {
	// Append stores lines and hands them to the followers. It never blocks
	// on a slow follower.
	Append(lines ...LogLine)
	// Query returns the stored lines q selects, oldest first.
	Query(ctx context.Context, q LogQuery) ([]LogLine, error)
	// Follow delivers the lines q selects as they are appended, until ctx
	// ends. A follower that falls behind skips ahead: a delivery's Missed
	// tells how many lines it skipped, instead of stalling anyone.
	Follow(ctx context.Context, q LogQuery) (<-chan LogDelivery, error)
	// QueryFollow returns the history q selects and follows from the same
	// instant, so no line is lost or repeated between the two.
	QueryFollow(ctx context.Context, q LogQuery) ([]LogLine, <-chan LogDelivery, error)
	// RemoveApp forgets an app's history.
	RemoveApp(app string) error
}

// LogDelivery is either a line or a gap of missed lines.
type LogDelivery struct {
	Line LogLine
	// Missed, when not zero, is how many lines were skipped before Line (or
	// just now, if Line is empty) because the follower was too slow. With a
	// process filter it counts that process's lines; a Since filter is not
	// taken into account.
	Missed int
}

// ContainerStats is one sample of a container's resource use.
type ContainerStats struct {
	Time time.Time
	// CPUPercent is the share of one CPU, as docker stats shows it (200 =
	// two CPUs busy).
	CPUPercent float64
	// MemoryBytes excludes the page cache, as docker stats shows it.
	MemoryBytes uint64
	MemoryLimit uint64
}

// LogFollower is a Runtime that can stream container output and sample
// container stats.
type LogFollower interface {
	// FollowLogs delivers the container's output from since on (stdout and
	// stderr, split into lines with their times, binary data made
	// printable) until the container stops or ctx ends. Process, replica
	// and release of each line are filled from the container.
	FollowLogs(ctx context.Context, id string, since time.Time, deliver func(LogLine)) error
	// Stats returns one sample of the container's resource use.
	Stats(ctx context.Context, id string) (ContainerStats, error)
}
