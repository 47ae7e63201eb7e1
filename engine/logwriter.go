package engine

import (
	"bytes"
	"io"
	"sync"
)

// logWriter turns what a one-off container prints into log lines of the
// app's history. Incomplete lines wait for their end, up to MaxLogLineBytes.
type logWriter struct {
	mu   sync.Mutex
	e    *Engine
	tmpl LogLine
	buf  []byte
}

// newLogWriter returns a writer appending lines like tmpl (stdout unless
// tmpl names a stream), or io.Discard when no log store is configured.
func (e *Engine) newLogWriter(tmpl LogLine) io.Writer {
	if e.cfg.Logs == nil {
		return io.Discard
	}
	if tmpl.Stream == "" {
		tmpl.Stream = StreamStdout
	}
	return &logWriter{e: e, tmpl: tmpl}
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 && len(w.buf) < MaxLogLineBytes {
			return len(p), nil
		}
		if i < 0 {
			i = MaxLogLineBytes
		}
		w.emit(string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))
		if i < len(w.buf) && w.buf[i] == '\n' {
			i++
		}
		w.buf = w.buf[i:]
	}
}

func (w *logWriter) emit(text string) {
	l := w.tmpl
	l.Time, l.Text = w.e.now(), text
	w.e.cfg.Logs.Append(l)
}
