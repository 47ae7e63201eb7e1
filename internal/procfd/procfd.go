// Package procfd counts the files this process holds open, for tests that
// check a component lets go of what it opened.
package procfd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OpenUnder returns how many of this process's open file descriptors
// point at a path under dir (Linux: it reads /proc/self/fd).
func OpenUnder(dir string) (int, error) {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, fmt.Errorf("read open files: %w", err)
	}
	n := 0
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, dir+string(filepath.Separator)) {
			n++
		}
	}
	return n, nil
}
