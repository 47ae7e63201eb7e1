package docker

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/docker/pkg/stdcopy"
)

const (
	// frameHeaderLen is the size of the header before each frame of a
	// multiplexed stream: stream type, 3 zero bytes, big-endian size.
	frameHeaderLen = 8
	// maxTimeLen bounds the time before a message ("...+00:00" is 35).
	maxTimeLen = 40
	// logReadBuffer is how much of the stream is read at a time. Every
	// running container has one stream open, so it is kept small: 200 apps
	// at 64 KiB held 13 MB; a frame larger than it is read in pieces.
	logReadBuffer = 8 << 10
	// maxDaemonError bounds what is kept of an error the daemon reports.
	maxDaemonError = 1 << 10
)

// logStream reads the multiplexed log stream of a container, requested
// with timestamps, and hands the output to one lineBuilder per stream.
// The stream is read frame by frame rather than through stdcopy.StdCopy
// because frames matter: Docker writes each log message (a line, or a
// partial piece of a long one) as one frame that starts with the message's
// time, so a piece that continues a line starts with a time too, which must
// be cut off rather than taken for output.
type logStream struct {
	br     *bufio.Reader
	stdout *lineBuilder
	stderr *lineBuilder
	// daemonErr is the last error the daemon reported in the stream.
	daemonErr string
}

// newLogStream reads r.
func newLogStream(r io.Reader, stdout, stderr *lineBuilder) *logStream {
	return &logStream{br: bufio.NewReaderSize(r, logReadBuffer), stdout: stdout, stderr: stderr}
}

// run reads the stream to its end and delivers the lines still open
// there. It returns nil at the end of the stream, unless the daemon
// reported an error in it, and the error that stopped it otherwise.
func (s *logStream) run() error {
	for {
		typ, size, err := s.header()
		if errors.Is(err, io.EOF) {
			s.stdout.flush()
			s.stderr.flush()
			if s.daemonErr != "" {
				return fmt.Errorf("the daemon reported: %s", s.daemonErr)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.frame(typ, size); err != nil {
			return err
		}
	}
}

// header reads the next frame header; io.EOF means the stream ended
// cleanly between frames.
func (s *logStream) header() (stdcopy.StdType, int, error) {
	h, err := s.br.Peek(frameHeaderLen)
	if err != nil {
		if errors.Is(err, io.EOF) && len(h) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return 0, 0, err
	}
	typ, size := stdcopy.StdType(h[0]), int(binary.BigEndian.Uint32(h[4:]))
	_, _ = s.br.Discard(frameHeaderLen)
	return typ, size, nil
}

// frame reads the payload of a frame of typ and size.
func (s *logStream) frame(typ stdcopy.StdType, size int) error {
	switch typ {
	case stdcopy.Stdout:
		return s.output(s.stdout, size)
	case stdcopy.Stderr:
		return s.output(s.stderr, size)
	case stdcopy.Systemerr:
		return s.daemonError(size)
	}
	return fmt.Errorf("unexpected stream type %d in the log stream", typ)
}

// output hands a message of size bytes to b: its time, then its text.
func (s *logStream) output(b *lineBuilder, size int) error {
	n, err := s.messageTime(b, size)
	if err != nil {
		return err
	}
	for size -= n; size > 0; {
		p, err := s.br.Peek(min(size, s.br.Size()))
		if err != nil {
			return unexpectedEOF(err)
		}
		b.write(p)
		_, _ = s.br.Discard(len(p))
		size -= len(p)
	}
	return nil
}

// messageTime reads the time (and the space after it) that starts a
// message of size bytes, hands it to b and returns the bytes it took. A
// message that does not start with a time is all text, stamped now.
func (s *logStream) messageTime(b *lineBuilder, size int) (int, error) {
	head, err := s.br.Peek(min(size, maxTimeLen))
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	if i := bytes.IndexByte(head, ' '); i > 0 {
		if t, ok := parseLogTime(head[:i]); ok {
			b.begin(t)
			_, _ = s.br.Discard(i + 1)
			return i + 1, nil
		}
	}
	b.begin(time.Now().UTC())
	return 0, nil
}

// daemonError reads an error message of size bytes the daemon put in the
// stream ("Error grabbing logs: ...") and keeps its start.
func (s *logStream) daemonError(size int) error {
	var msg []byte
	for size > 0 {
		p, err := s.br.Peek(min(size, s.br.Size()))
		if err != nil {
			return unexpectedEOF(err)
		}
		msg = append(msg, p[:min(len(p), maxDaemonError-len(msg))]...)
		_, _ = s.br.Discard(len(p))
		size -= len(p)
	}
	s.daemonErr = strings.TrimSpace(strings.ToValidUTF8(string(msg), replacement))
	return nil
}

// unexpectedEOF turns the end of the stream inside a frame into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
