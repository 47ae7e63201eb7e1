package receive

import (
	"fmt"
	"strings"

	"github.com/quayside/quayside/engine"
)

// refUpdate is one line of the pre-receive hook's input.
type refUpdate struct {
	Old  string `json:"old"`
	New  string `json:"new"`
	Name string `json:"name"`
}

// Push option limits.
const (
	maxPushOptions   = 32
	maxPushOptionLen = 1024
)

// branchUpdate checks that a push updates (or deletes: New is all zeros)
// exactly one branch, and returns that update. Refusals are *engine.Error
// for the pusher.
func branchUpdate(refs []refUpdate) (refUpdate, error) {
	switch {
	case len(refs) == 0:
		return refUpdate{}, engine.Errorf(engine.EINVALID, "the push updates no branch: push one, for example git push quayside main")
	case len(refs) > 1:
		return refUpdate{}, engine.Errorf(engine.EINVALID,
			"push one branch at a time: this push updates %d refs (%s). Push them one by one, for example git push quayside main",
			len(refs), refNames(refs))
	}
	ref := refs[0]
	if !isObjectID(ref.Old) || !isObjectID(ref.New) {
		return refUpdate{}, fmt.Errorf("malformed ref update %+v", ref)
	}
	switch {
	case strings.HasPrefix(ref.Name, "refs/tags/"):
		return refUpdate{}, engine.Errorf(engine.EINVALID,
			"tags are not deployed: push a branch instead, for example git push quayside main")
	case !strings.HasPrefix(ref.Name, "refs/heads/") || ref.Name == "refs/heads/":
		return refUpdate{}, engine.Errorf(engine.EINVALID,
			"%s is not a branch: Quayside accepts pushes to branches (refs/heads/...) only", ref.Name)
	case isZeroID(ref.New) && isZeroID(ref.Old):
		return refUpdate{}, engine.Errorf(engine.EINVALID, "the push neither creates nor deletes %s", ref.Name)
	}
	return ref, nil
}

// refNames lists a few ref names for a message.
func refNames(refs []refUpdate) string {
	names := make([]string, 0, 4)
	for i, r := range refs {
		if i == 3 {
			names = append(names, "...")
			break
		}
		names = append(names, r.Name)
	}
	return strings.Join(names, ", ")
}

// isObjectID reports whether s is a full SHA-1 or SHA-256 object name.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isZeroID(s string) bool {
	return strings.Trim(s, "0") == ""
}

// parsePushOptions turns `git push -o` values into a map: "key=value" gives
// key -> value, a bare "key" gives key -> "". Later options win.
func parsePushOptions(opts []string) (map[string]string, error) {
	if len(opts) > maxPushOptions {
		return nil, engine.Errorf(engine.EINVALID, "too many push options (%d): the limit is %d", len(opts), maxPushOptions)
	}
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		if len(o) > maxPushOptionLen {
			return nil, engine.Errorf(engine.EINVALID, "a push option is %d bytes long: the limit is %d", len(o), maxPushOptionLen)
		}
		key, value, _ := strings.Cut(o, "=")
		if key == "" {
			return nil, engine.Errorf(engine.EINVALID, "push option %q has no name: use -o name or -o name=value", o)
		}
		m[key] = value
	}
	return m, nil
}
