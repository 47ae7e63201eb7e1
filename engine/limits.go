package engine

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Limits caps what one container may use. In an effective limit a zero
// field caps nothing; in a process type's setting (ProcessLimits) a zero
// field means the server's default.
type Limits struct {
	// MemoryBytes is the most memory the container may use; it gets no
	// swap beyond it. Past it the kernel kills a process of the container.
	MemoryBytes int64
	// NanoCPUs is the CPU time the container may use per second, in
	// billionths of a CPU: 1e9 is one CPU busy all the time.
	NanoCPUs int64
	// Pids is the most processes and threads that may exist at once.
	Pids int64
}

// Bounds of the limits a user may set.
const (
	MinMemoryBytes = 16 << 20
	MaxMemoryBytes = 1 << 40
	MinNanoCPUs    = 10_000_000 // 0.01 CPU
	MinPids        = 16
	MaxPids        = 1 << 22 // the kernel's pid_max
)

// Server defaults a process type runs with unless its app sets otherwise
// (the server's --default-* flags start from these).
const (
	DefaultMemoryBytes = 512 << 20
	DefaultPids        = 512
)

// Limit keys, as in "memory=512M cpus=1 pids=512".
const (
	LimitMemory = "memory"
	LimitCPUs   = "cpus"
	LimitPids   = "pids"
)

// LimitDefault, as a value, resets a limit to the server's default.
const LimitDefault = "default"

// ProcessLimits are the limits an app sets per process type, by type;
// zero fields (and absent types) take the server's defaults.
type ProcessLimits map[string]Limits

// withDefaults returns l with each zero field replaced by d's.
func (l Limits) withDefaults(d Limits) Limits {
	if l.MemoryBytes == 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.NanoCPUs == 0 {
		l.NanoCPUs = d.NanoCPUs
	}
	if l.Pids == 0 {
		l.Pids = d.Pids
	}
	return l
}

// String prints l as "memory=512 MiB cpus=1 pids=512", "none" for a field
// that caps nothing.
func (l Limits) String() string {
	return fmt.Sprintf("memory=%s cpus=%s pids=%s", memoryText(l.MemoryBytes), cpusText(l.NanoCPUs), pidsText(l.Pids))
}

// FormatMemory prints a number of bytes for people: "512 MiB", "1.5 GiB".
func FormatMemory(n int64) string {
	units := []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if n >= u.size {
			return strconv.FormatFloat(math.Round(float64(n)/float64(u.size)*10)/10, 'f', -1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " B"
}

// FormatCPUs prints NanoCPUs as a number of CPUs: "1", "0.5".
func FormatCPUs(nano int64) string {
	return strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64)
}

func memoryText(n int64) string {
	if n == 0 {
		return "none"
	}
	return FormatMemory(n)
}

func cpusText(n int64) string {
	if n == 0 {
		return "none"
	}
	return FormatCPUs(n)
}

func pidsText(n int64) string {
	if n == 0 {
		return "none"
	}
	return strconv.FormatInt(n, 10)
}

// LimitChange asks to set limits of one process type: key (LimitMemory,
// LimitCPUs, LimitPids) -> value ("512M", "1.5", "256", or LimitDefault).
type LimitChange map[string]string

// apply returns cur changed by ch, each value checked; maxCPUs > 0 caps
// cpus at the server's CPU count.
func (ch LimitChange) apply(cur Limits, maxCPUs int) (Limits, error) {
	if len(ch) == 0 {
		return cur, FieldError("limits", "give at least one limit, as in memory=512M cpus=1 pids=512")
	}
	for key, v := range ch {
		var err error
		switch key {
		case LimitMemory:
			cur.MemoryBytes, err = parseOrDefault(v, ParseMemory)
		case LimitCPUs:
			cur.NanoCPUs, err = parseOrDefault(v, func(s string) (int64, error) { return ParseCPUs(s, maxCPUs) })
		case LimitPids:
			cur.Pids, err = parseOrDefault(v, ParsePids)
		default:
			return cur, FieldError(key, "%q is not a limit: use memory, cpus or pids, as in memory=512M", key)
		}
		if err != nil {
			return cur, err
		}
	}
	return cur, nil
}

// parseOrDefault parses v, or gives 0 (the default) for LimitDefault.
func parseOrDefault(v string, parse func(string) (int64, error)) (int64, error) {
	if strings.EqualFold(strings.TrimSpace(v), LimitDefault) {
		return 0, nil
	}
	return parse(v)
}

var memoryRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([kmgt])(?:i?b)?$`)

// ParseMemory reads a memory limit such as "512M", "512MiB", "1.5G" or
// "1GB" (units are binary: M is MiB). A unit is required. It refuses
// values below MinMemoryBytes and above MaxMemoryBytes.
func ParseMemory(s string) (int64, error) {
	m := memoryRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, FieldError(LimitMemory, "memory=%s is not a size: write a number and a unit, as in 512M or 1.5G", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, FieldError(LimitMemory, "memory=%s is not a size: write a number and a unit, as in 512M or 1.5G", s)
	}
	shift := map[string]uint{"k": 10, "m": 20, "g": 30, "t": 40}[m[2]]
	n := f * float64(int64(1)<<shift)
	switch {
	case n < MinMemoryBytes:
		return 0, FieldError(LimitMemory, "memory=%s is too small: the minimum is %s", s, FormatMemory(MinMemoryBytes))
	case n > MaxMemoryBytes:
		return 0, FieldError(LimitMemory, "memory=%s is too large: the maximum is %s", s, FormatMemory(MaxMemoryBytes))
	}
	return int64(n), nil
}

// ParseCPUs reads a CPU limit such as "1", "0.5" or "2" into NanoCPUs. It
// refuses values below 0.01 and, when maxCPUs > 0, above maxCPUs.
func ParseCPUs(s string, maxCPUs int) (int64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, FieldError(LimitCPUs, "cpus=%s is not a number of CPUs: write, for example, 1 or 0.5", s)
	}
	n := int64(math.Round(f * 1e9))
	if n < MinNanoCPUs {
		return 0, FieldError(LimitCPUs, "cpus=%s is too small: the minimum is 0.01", s)
	}
	if maxCPUs > 0 && n > int64(maxCPUs)*1e9 {
		return 0, FieldError(LimitCPUs, "cpus=%s is more than this server has: the maximum is %d", s, maxCPUs)
	}
	if n > 1024*1e9 {
		return 0, FieldError(LimitCPUs, "cpus=%s is too large: the maximum is 1024", s)
	}
	return n, nil
}

// ParsePids reads a process count limit, from MinPids to MaxPids.
func ParsePids(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, FieldError(LimitPids, "pids=%s is not a whole number: write, for example, pids=512", s)
	}
	if n < MinPids || n > MaxPids {
		return 0, FieldError(LimitPids, "pids=%s is out of range: use %d to %d", s, MinPids, MaxPids)
	}
	return n, nil
}
