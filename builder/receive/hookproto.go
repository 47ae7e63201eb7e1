package receive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// The hook protocol runs over the hook socket, one connection per hook run,
// as newline-delimited JSON. The hook sends one hookRequest; the server
// answers with frames: output as the deploy produces it, then one exit
// status. The hook sends nothing more: the server takes the connection
// closing as the pusher going away and cancels the deploy.
const (
	hookProtocolVersion = 1
	// maxHookLine bounds one request or frame on the wire.
	maxHookLine = 1 << 20
	// maxOutputChunk bounds the output carried by one frame.
	maxOutputChunk = 32 << 10
	// hookRequestTimeout bounds reading the request.
	hookRequestTimeout = 10 * time.Second
	// frameWriteTimeout bounds writing one frame to a hook that stopped reading.
	frameWriteTimeout = time.Minute
)

// hookRequest is what the hook knows: which push it belongs to, the ref
// updates from its stdin, the push options and git's quarantine.
type hookRequest struct {
	Version    int         `json:"version"`
	PushID     string      `json:"push_id"`
	Refs       []refUpdate `json:"refs"`
	Options    []string    `json:"options,omitempty"`
	Quarantine quarantine  `json:"quarantine"`
}

// quarantine is git's quarantine environment during pre-receive.
type quarantine struct {
	Path       string `json:"path,omitempty"`       // GIT_QUARANTINE_PATH
	ObjectDir  string `json:"object_dir,omitempty"` // GIT_OBJECT_DIRECTORY
	Alternates string `json:"alternates,omitempty"` // GIT_ALTERNATE_OBJECT_DIRECTORIES
}

// hookFrame is one message from the server: output, or the exit status.
type hookFrame struct {
	Output []byte `json:"output,omitempty"`
	Exit   *int   `json:"exit,omitempty"`
}

// readLine reads one newline-terminated line of at most max bytes.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			return nil, errors.New("hook protocol: line too long")
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, err
		}
	}
}

// readHookRequest reads and checks the hook's request.
func readHookRequest(r *bufio.Reader) (*hookRequest, error) {
	line, err := readLine(r, maxHookLine)
	if err != nil {
		return nil, fmt.Errorf("read hook request: %w", err)
	}
	var req hookRequest
	if err := json.Unmarshal(line, &req); err != nil {
		return nil, fmt.Errorf("decode hook request: %w", err)
	}
	if req.Version != hookProtocolVersion {
		return nil, fmt.Errorf("hook protocol version %d, want %d", req.Version, hookProtocolVersion)
	}
	return &req, nil
}

// frameWriter is the deploy's Output: every Write goes out at once as
// output frames, so the pusher sees lines as they are produced. It is safe
// for concurrent use. After a failed write (the hook is gone) it calls
// onFail once and fails every later write.
type frameWriter struct {
	mu     sync.Mutex
	conn   net.Conn
	err    error
	onFail func()
}

// Write sends p as output frames.
func (w *frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), maxOutputChunk)]
		if err := w.send(hookFrame{Output: chunk}); err != nil {
			return n, err
		}
		n += len(chunk)
		p = p[len(chunk):]
	}
	return n, nil
}

// exit sends the final status.
func (w *frameWriter) exit(code int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.send(hookFrame{Exit: &code})
}

func (w *frameWriter) send(f hookFrame) error {
	if w.err != nil {
		return w.err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(frameWriteTimeout))
	if _, err = w.conn.Write(append(b, '\n')); err != nil {
		w.err = fmt.Errorf("write to hook: %w", err)
		if w.onFail != nil {
			w.onFail()
		}
	}
	return w.err
}
