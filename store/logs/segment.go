package logs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// segSuffix ends every segment file name.
const segSuffix = ".seg"

// segment is one file of an app's history. Its fields are guarded by the
// app's mu.
type segment struct {
	first uint64 // Seq of the first line meant for it; names the file
	// size is how many bytes of the file readers may read: everything the
	// writer has flushed and published.
	size int64
	// span is known for the active segment and for sealed segments once
	// read; it lets a Since query skip whole segments.
	span span
}

// span is the time range of a segment's lines.
type span struct {
	known            bool
	minTime, maxTime int64
}

// add widens s by the time t.
func (s *span) add(t int64) {
	if !s.known {
		*s = span{known: true, minTime: t, maxTime: t}
		return
	}
	s.minTime, s.maxTime = min(s.minTime, t), max(s.maxTime, t)
}

// emptySpan is the span of a segment known to hold no line.
var emptySpan = span{known: true, minTime: math.MaxInt64, maxTime: math.MinInt64}

// segName is the file name of the segment whose first line is first.
func segName(first uint64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

// parseSegName returns the first Seq a segment file name carries.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	return v, err == nil
}

// segPath is the path of a segment relative to the data dir.
func segPath(app string, first uint64) string { return path.Join(app, segName(first)) }

// readSegment reads up to size bytes of a segment file. A file that no longer
// exists (its app was removed, or the cap deleted it) reads as nil, nil.
func (s *Store) readSegment(app string, first uint64, size int64) ([]byte, error) {
	f, err := s.root.Open(segPath(app, first))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open log segment: %w", err)
	}
	defer f.Close()
	s.segmentsRead.Add(1)
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read log segment: %w", err)
	}
	return buf[:n], nil
}

// scan walks the records of a segment's bytes in order, calling fn with each
// payload and its end offset. It returns the offset where the whole records
// end and whether the bytes after it are damaged.
func scan(b []byte, fn func(payload []byte, end int) error) (end int, damaged bool, err error) {
	if len(b) < len(segmentHeader) || string(b[:len(segmentHeader)]) != segmentHeader {
		return 0, len(b) > 0, nil
	}
	end = len(segmentHeader)
	for end < len(b) {
		p, n, rerr := nextRecord(b[end:])
		if rerr != nil {
			return end, true, nil
		}
		if err := fn(p, end+n); err != nil {
			return end, false, err
		}
		end += n
	}
	return end, false, nil
}
