package notify

import (
	"fmt"
	"math"
	"syscall"
)

// diskUsage is what df shows of one file system, in bytes.
type diskUsage struct {
	path string
	// fs identifies the file system, so paths on one are checked once.
	fs string
	// used is taken by files, free is available to unprivileged users,
	// total is used + free (the root reserve is left out, as df does).
	used, free, total uint64
}

// usageOf reads a statfs result the way df does.
func usageOf(path string, st *syscall.Statfs_t) diskUsage {
	bs := uint64(st.Frsize)
	if bs == 0 {
		bs = uint64(st.Bsize)
	}
	u := diskUsage{path: path, fs: path}
	if st.Fsid.X__val != [2]int32{} {
		u.fs = fmt.Sprint(st.Fsid.X__val, st.Blocks, bs)
	}
	if st.Bfree <= st.Blocks {
		u.used = (st.Blocks - st.Bfree) * bs
	}
	u.free = st.Bavail * bs
	u.total = u.used + u.free
	return u
}

// percent is the share of total in use, 0 to 100.
func (u diskUsage) percent() float64 {
	if u.total == 0 {
		return 0
	}
	return float64(u.used) * 100 / float64(u.total)
}

// roundedPercent rounds to the nearest percent.
func (u diskUsage) roundedPercent() int {
	return int(math.Round(u.percent()))
}

// humanBytes writes n in decimal units with one decimal: "4.1 GB".
func humanBytes(n uint64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
