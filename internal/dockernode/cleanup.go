package dockernode

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// remove takes everything of the node away: processes, mounts, cgroups,
// namespace (and with it both veth ends) and folders. It reports what it
// could not remove as test errors, so leaks are seen.
func (n *Node) remove(t testing.TB) {
	if n.cli != nil {
		_ = n.cli.Close()
	}
	n.stopDaemon()
	unmountUnder(n.dataRoot, n.execRoot)
	removeCgroups(n.Name)
	if _, err := os.Stat(n.netnsPath()); err == nil {
		if err := run("ip", "netns", "del", n.Name); err != nil {
			t.Errorf("dockernode: %v", err)
		}
	}
	_ = exec.Command("ip", "link", "del", n.hostVeth()).Run() // gone with the namespace, unless plumb stopped half way
	for _, d := range []string{n.dataRoot, n.execRoot} {
		if err := os.RemoveAll(d); err != nil {
			t.Errorf("dockernode: remove %s: %v", d, err)
		}
	}
	n.unlock()
}

// stopDaemon asks dockerd to stop (it stops its containers as it goes) and
// kills whatever of the node is left after a grace period.
func (n *Node) stopDaemon() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	select {
	case <-n.exited:
	default:
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.exited:
		case <-time.After(15 * time.Second):
		}
	}
	killTree(n.execRoot, n.cmd)
	<-n.exited
}

// killTree SIGKILLs dockerd, every process whose command line names the
// node's exec-root (containerd, the shims) and all their descendants, at
// once, so no container process is left behind without its shim.
func killTree(execRoot string, cmd *exec.Cmd) {
	parents, cmdlines := processTable()
	roots := map[int]bool{}
	if cmd != nil && cmd.Process != nil {
		roots[cmd.Process.Pid] = true
	}
	for pid, line := range cmdlines {
		if strings.Contains(line, execRoot+"/") || strings.Contains(line, execRoot+" ") {
			roots[pid] = true
		}
	}
	for pid := range descendants(roots, parents) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// descendants returns roots and every process below them.
func descendants(roots map[int]bool, parents map[int]int) map[int]bool {
	all := map[int]bool{}
	for pid := range roots {
		all[pid] = true
	}
	for grew := true; grew; {
		grew = false
		for pid, ppid := range parents {
			if all[ppid] && !all[pid] {
				all[pid], grew = true, true
			}
		}
	}
	return all
}

// processTable reads every process's parent and command line from /proc.
func processTable() (parents map[int]int, cmdlines map[int]string) {
	parents, cmdlines = map[int]int{}, map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok {
			parents[pid] = ppid
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		cmdlines[pid] = strings.ReplaceAll(string(b), "\x00", " ")
	}
	return parents, cmdlines
}

// parentOf reads the parent pid from /proc/PID/stat (field 4, after the
// command name in parentheses, which may itself hold spaces).
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}

// unmountUnder detaches every mount below the given folders, deepest
// first (overlay layers, network namespaces of containers).
func unmountUnder(dirs ...string) {
	var points []string
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		for _, d := range dirs {
			if mp == d || strings.HasPrefix(mp, d+"/") {
				points = append(points, mp)
			}
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	for _, p := range points {
		_ = syscall.Unmount(p, syscall.MNT_DETACH)
	}
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// removeCgroups removes the node's cgroup parent in every v1 hierarchy
// (and the v2 tree), children first. Empty cgroups are removed by rmdir.
func removeCgroups(name string) {
	matches, _ := filepath.Glob("/sys/fs/cgroup/*/" + name)
	if m, _ := filepath.Glob("/sys/fs/cgroup/" + name); len(m) > 0 {
		matches = append(matches, m...)
	}
	for _, root := range matches {
		var dirs []string
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, d := range dirs {
			_ = syscall.Rmdir(d)
		}
	}
}
