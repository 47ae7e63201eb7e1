// Package logs keeps the output of every container Quayside runs: each app's
// history on disk, capped in size, and a live fan-out of new lines to any
// number of followers. It implements engine.LogStore.
//
// It sits beside the other adapters (store, engine/docker, proxy): it speaks
// only engine types, imports no sibling package, and cmd/quayside wires it
// between the runtime's log streams (engine.LogFollower) and the API, CLI and
// dashboard.
//
// # How a line travels
//
// Append cleans each line (see below), numbers it with the app's next Seq,
// puts it in the app's in-memory ring of recent lines, wakes the app's
// followers, and queues it for disk.
// Append never waits for the disk or for a follower: one background goroutine
// writes the queue out with buffered writes, fsyncs every Options.SyncInterval
// and on Flush and Close. When the queue holds Options.WriteQueue lines (or
// Options.WriteQueueBytes bytes) further lines are not written to disk and are
// counted as dropped in Stats; followers still get them.
//
// # On disk
//
// Each app has one directory under the data dir, named after the app (a plain
// DNS label: any other name is refused, and every path is opened through an
// os.Root so nothing outside the data dir is ever touched). An app's history is
// a series of append-only segment files named after the Seq of their first
// line, "00000000000000000042.seg" (20 digits, so names sort by Seq). A segment
// starts with the 8-byte header "QSLOGv1\n" and holds records:
//
//	length  uint32 little endian, bytes of payload (at most 64 KiB)
//	crc     uint32 little endian, CRC-32C (Castagnoli) of payload
//	payload uvarint Seq | varint Time (Unix ns) | varint Release | varint Replica |
//	        string Process | string Stream | string Text   (string = uvarint length, bytes)
//
// The app name is the directory, so it is not repeated per record. A binary,
// length-prefixed, checksummed record was chosen over JSON lines: it costs
// about 35 bytes per line besides the text where JSON costs about 125, needs
// no escaping of the text, and the checksum catches a torn or damaged record
// anywhere (a JSON parser catches a torn last line but not a flipped byte
// inside a string). A reader stops at
// the first record whose length is out of range, whose bytes run past the end
// of the file or whose checksum does not match, and goes on with the next
// segment, so a damaged record never spoils later reads. On Open the newest
// segment of every app is scanned: a torn tail left by a crash is cut off
// (and logged), and Seq numbering continues after the last whole record.
//
// # Bounds
//
// A segment is sealed when the next record would take it past
// Options.SegmentBytes. Before each record is written, the writer deletes the
// app's oldest sealed segments until the record (and the header of the new
// segment, when it starts one) fits under Options.MaxBytesPerApp; the active
// segment is never deleted, and MaxBytesPerApp >= 2 x SegmentBytes. So the
// bytes of an app's segment files (headers included, as the file sizes show
// them) are at all times at most MaxBytesPerApp and, once the cap has been
// reached, more than MaxBytesPerApp - SegmentBytes: the oldest lines go
// first, a whole segment at a time. (If an earlier run used larger segments,
// replace SegmentBytes by the largest segment left on disk until it is
// deleted; a cap lowered between runs is applied on Open.)
//
// In memory, each app keeps its last Options.FollowerBuffer lines (and no
// more than about Options.FollowerBufferBytes of them) in one ring that all
// its followers read from their own cursor; a follower holds no
// lines of its own beyond the deliveries in flight (a channel of 64 and a
// batch of 64). Append therefore costs the same whatever the number of
// followers, and 100 followers cost 100 goroutines and at most 128
// deliveries each. A follower whose reader falls more than FollowerBuffer
// lines behind the newest skips ahead to the oldest line still kept; its
// next delivery carries Missed, the count of lines it skipped (exact for a
// follower of all processes or of one process; a Since filter is not
// considered). Followers are woken at most about once per millisecond per
// app (they linger 1 ms after a wake-up to collect more lines), which bounds
// the CPU a busy app's followers use and adds at most that to the delay.
// The disk queue holds at most WriteQueue lines and WriteQueueBytes bytes
// in all. An app's active segment stays open (with a 64 KiB write buffer)
// only while it logs: after 10 syncs in a row without a line it is closed,
// so quiet apps hold no file descriptor.
//
// # Cleaning
//
// Invalid UTF-8 and control characters other than tab and ESC (kept so that
// colour codes survive) become U+FFFD; a trailing carriage return is removed;
// text with newlines becomes several lines. A line longer than
// engine.MaxLogLineBytes is split into pieces of at most that many bytes,
// every piece but the last ending with ContinuedMarker; beyond MaxLineBytes
// the rest of the line is cut and the last piece ends with
// " [truncated N bytes]".
package logs
