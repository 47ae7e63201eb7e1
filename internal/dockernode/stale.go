package dockernode

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Every live node holds an exclusive flock on runBase/<name>.lock for as
// long as its test process lives. A test process killed before its
// cleanup ran (go test's -timeout, a SIGKILL) leaves a node whose lock
// anyone can take: the next Start removes such nodes.

// lockNode takes the node's lock; the file stays open until the process
// ends or the node is removed.
func lockNode(name string) (*os.File, error) {
	if err := os.MkdirAll(runBase, 0o700); err != nil {
		return nil, fmt.Errorf("make %s: %w", runBase, err)
	}
	f, err := os.OpenFile(filepath.Join(runBase, name+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock node: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock node %s: %w", name, err)
	}
	return f, nil
}

// sweepStale removes the nodes whose test process is gone. It leaves
// alone nodes younger than a minute whose lock file is not there yet.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(baseDir, "qn*"))
	for _, d := range dirs {
		name := filepath.Base(d)
		if fi, err := os.Stat(d); err != nil || time.Since(fi.ModTime()) < time.Minute {
			if _, err := os.Stat(filepath.Join(runBase, name+".lock")); err != nil {
				continue
			}
		}
		lock, err := lockNode(name)
		if err != nil {
			continue // alive
		}
		n := &Node{Name: name, dataRoot: d, execRoot: filepath.Join(runBase, name), lock: lock}
		n.removeStale()
	}
}

// removeStale removes a node of a dead test process.
func (n *Node) removeStale() {
	killTree(n.execRoot, nil)
	unmountUnder(n.dataRoot, n.execRoot)
	removeCgroups(n.Name)
	_ = run("ip", "netns", "del", n.Name)
	_ = run("ip", "link", "del", n.hostVeth())
	_ = os.RemoveAll(n.dataRoot)
	_ = os.RemoveAll(n.execRoot)
	n.unlock()
}

// unlock releases and removes the node's lock file.
func (n *Node) unlock() {
	if n.lock == nil {
		return
	}
	_ = os.Remove(n.lock.Name())
	_ = n.lock.Close()
	n.lock = nil
}
