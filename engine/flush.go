package engine

import "io"

// Flush pushes out what w holds back, when w is a writer that buffers (it
// has Flush() or Flush() error; a flush error is left to the next Write).
// Whoever writes an Output line by line calls it after each line, so the
// line reaches the user as it happens.
func Flush(w io.Writer) {
	switch f := w.(type) {
	case interface{ Flush() error }:
		_ = f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
}
