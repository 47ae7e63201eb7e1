package logs

import (
	"log/slog"
	"time"

	"github.com/quayside/quayside/engine"
)

// Defaults and limits of Options.
const (
	DefaultMaxBytesPerApp  = 50 << 20
	DefaultSegmentBytes    = 4 << 20
	DefaultFollowerBuffer  = 4096
	DefaultFollowerBytes   = 4 << 20
	DefaultWriteQueue      = 16384
	DefaultWriteQueueBytes = 16 << 20
	DefaultSyncInterval    = time.Second

	// MinSegmentBytes leaves room for several of the largest records.
	MinSegmentBytes = 64 << 10
)

// Options tunes a Store. The zero value of every field means its default.
type Options struct {
	// MaxBytesPerApp caps the bytes of an app's segment files; the oldest
	// segments are deleted first. Default 50 MiB; it must be at least twice
	// SegmentBytes.
	MaxBytesPerApp int64
	// SegmentBytes is the size at which a segment is sealed and a new one
	// begun: the granularity of the cap. Default 4 MiB, or MaxBytesPerApp/4
	// when that is smaller; at least MinSegmentBytes.
	SegmentBytes int64
	// FollowerBuffer is how many of an app's most recent lines the store
	// keeps in memory, shared by all the app's followers: a follower that
	// falls further behind skips ahead to the oldest of them and is told how
	// many it missed. FollowAfter replays from them too. Default 4096 (0.4 s
	// of an app printing 10,000 lines a second).
	FollowerBuffer int
	// FollowerBufferBytes bounds the same lines by size (text plus about 112
	// bytes a line), so that long lines cannot make an app's recent lines
	// take much memory. Default 4 MiB.
	FollowerBufferBytes int64
	// WriteQueue and WriteQueueBytes bound the lines (all apps together)
	// waiting for the disk; lines beyond them are not written, only counted.
	// Defaults 16384 lines and 16 MiB.
	WriteQueue      int
	WriteQueueBytes int64
	// SyncInterval is how often written segments are fsynced. Default 1s.
	SyncInterval time.Duration
	// Logger receives warnings about damaged files and disk errors. Nil
	// discards them.
	Logger *slog.Logger
	// Now stamps lines that come without a time and bounds Query.Since.
	// Default time.Now.
	Now func() time.Time
}

// withDefaults fills the zero fields of o and checks the result.
func (o Options) withDefaults() (Options, error) {
	if o.MaxBytesPerApp == 0 {
		o.MaxBytesPerApp = DefaultMaxBytesPerApp
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = max(min(DefaultSegmentBytes, o.MaxBytesPerApp/4), MinSegmentBytes)
	}
	o.FollowerBuffer = orDefault(o.FollowerBuffer, DefaultFollowerBuffer)
	o.FollowerBufferBytes = orDefault(o.FollowerBufferBytes, DefaultFollowerBytes)
	o.WriteQueue = orDefault(o.WriteQueue, DefaultWriteQueue)
	o.WriteQueueBytes = orDefault(o.WriteQueueBytes, DefaultWriteQueueBytes)
	o.SyncInterval = orDefault(o.SyncInterval, DefaultSyncInterval)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, o.validate()
}

// validate reports the first field of o that is out of range.
func (o Options) validate() error {
	switch {
	case o.SegmentBytes < MinSegmentBytes:
		return engine.Errorf(engine.EINVALID, "log segment size %d is below the minimum of %d bytes", o.SegmentBytes, MinSegmentBytes)
	case o.MaxBytesPerApp < 2*o.SegmentBytes:
		return engine.Errorf(engine.EINVALID, "log cap %d bytes per app must be at least twice the segment size (%d bytes)", o.MaxBytesPerApp, o.SegmentBytes)
	case o.FollowerBuffer < 1, o.WriteQueue < 1,
		o.WriteQueueBytes < engine.MaxLogLineBytes, o.FollowerBufferBytes < engine.MaxLogLineBytes:
		return engine.Errorf(engine.EINVALID, "log follower buffer and write queue must be positive, their byte sizes at least %d", engine.MaxLogLineBytes)
	case o.SyncInterval < 0:
		return engine.Errorf(engine.EINVALID, "log sync interval must not be negative")
	}
	return nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
