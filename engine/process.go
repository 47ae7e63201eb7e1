package engine

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Process types with a meaning of their own.
const (
	// ProcessWeb takes the routed traffic and is health-checked.
	ProcessWeb = "web"
	// ProcessRelease runs once, in a one-off container, before a release
	// takes traffic; a non-zero exit fails the deploy.
	ProcessRelease = "release"
)

// Scale limits.
const (
	MaxReplicas      = 20 // per process type
	MaxTotalReplicas = 30 // per app
)

// Process is one process type of a release and how to start it.
type Process struct {
	Type string
	// Entrypoint replaces the image's entrypoint when not nil.
	Entrypoint []string
	// Cmd replaces the image's command when not nil.
	Cmd []string
	// Display is the command as its source gave it (a Procfile line, a
	// buildpack's process), for people, when Entrypoint and Cmd run it
	// through a launcher (/cnb/process/web); "" otherwise.
	Display string
}

// Command is the process's command line, for people: Display when set.
func (p Process) Command() string {
	if p.Display != "" {
		return p.Display
	}
	return strings.Join(append(slices.Clone(p.Entrypoint), p.Cmd...), " ")
}

// processes returns the release's process types, or the image's own
// command as web when it declares none.
func (r *Release) processes() []Process {
	if len(r.Processes) == 0 {
		return defaultProcesses()
	}
	return r.Processes
}

// defaultProcesses is what an image that declares no process types runs:
// its own command, as web.
func defaultProcesses() []Process { return []Process{{Type: ProcessWeb}} }

// findProcess returns the process of the given type.
func findProcess(ps []Process, typ string) (Process, bool) {
	for _, p := range ps {
		if p.Type == typ {
			return p, true
		}
	}
	return Process{}, false
}

// processTypes lists the long-running types of ps (release excluded), sorted.
func processTypes(ps []Process) []string {
	var types []string
	for _, p := range ps {
		if p.Type != ProcessRelease {
			types = append(types, p.Type)
		}
	}
	sort.Strings(types)
	return types
}

// Scale says how many containers of each process type run.
type Scale map[string]int

// DefaultScale runs one web container and nothing else until scaled.
func DefaultScale() Scale { return Scale{ProcessWeb: 1} }

// count returns how many containers of typ should run.
func (s Scale) count(typ string) int {
	if n, ok := s[typ]; ok {
		return n
	}
	if typ == ProcessWeb {
		return 1
	}
	return 0
}

// validateScale checks a requested change against the release's processes.
func validateScale(change Scale, rel *Release, current Scale) error {
	types := processTypes(rel.processes())
	for typ, n := range change {
		if typ == ProcessRelease {
			return FieldError(typ, "the release process runs once per deploy and cannot be scaled")
		}
		if !slices.Contains(types, typ) {
			return FieldError(typ, "v%d has no process type %q: it has %s", rel.Number, typ, strings.Join(types, ", "))
		}
		if n < 0 || n > MaxReplicas {
			return FieldError(typ, "%s=%d is out of range: use 0 to %d", typ, n, MaxReplicas)
		}
	}
	next := maps.Clone(current)
	if next == nil {
		next = Scale{}
	}
	maps.Copy(next, change)
	total := 0
	for _, typ := range types {
		total += next.count(typ)
	}
	if total > MaxTotalReplicas {
		return FieldError("scale", "that would run %d containers: an app may run at most %d", total, MaxTotalReplicas)
	}
	return nil
}

// String prints a scale as "web=2 worker=1", in type order.
func (s Scale) String() string {
	keys := slices.Sorted(maps.Keys(s))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, s[k])
	}
	return strings.Join(parts, " ")
}
