package engine

import "fmt"

// overCeiling returns an error naming the first limit in ch that next sets
// above ceiling (a zero ceiling field caps nothing). Only the keys ch
// changes are checked, so limits an admin set earlier do not stand in the
// way of changing another one.
func overCeiling(ch LimitChange, next, ceiling Limits) error {
	check := []struct {
		key       string
		got, most int64
		text      func(int64) string
		flag      string
	}{
		{LimitMemory, next.MemoryBytes, ceiling.MemoryBytes, FormatMemory, "--max-memory"},
		{LimitCPUs, next.NanoCPUs, ceiling.NanoCPUs, FormatCPUs, "--max-cpus"},
		{LimitPids, next.Pids, ceiling.Pids, func(n int64) string { return fmt.Sprint(n) }, "--max-pids"},
	}
	for _, c := range check {
		if _, changed := ch[c.key]; !changed || c.most == 0 || c.got <= c.most {
			continue
		}
		return Errorf(EFORBIDDEN, "%s=%s is above this server's ceiling of %s for a process type: ask an admin to set it, or to raise the ceiling (quayside server %s)",
			c.key, c.text(c.got), c.text(c.most), c.flag)
	}
	return nil
}
