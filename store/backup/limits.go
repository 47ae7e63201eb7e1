package backup

import (
	"fmt"

	"github.com/quayside/quayside/engine"
)

// Limits bound what a restore accepts from an archive, counted in the
// sizes its members expand to (not the compressed file's size).
type Limits struct {
	MaxTotal   int64 // all members together
	MaxMember  int64 // any one member
	MaxMembers int   // how many members
}

// DefaultLimits are generous for a big server (images included) and still
// stop an archive that would fill the disk.
var DefaultLimits = Limits{MaxTotal: 100 << 30, MaxMember: 100 << 30, MaxMembers: 2_000_000}

// MaxTrailing is how many bytes may follow the end of the tar stream
// (padding) before the archive is refused.
const MaxTrailing = 1 << 20

// Budget counts an archive's members against Limits. The zero Budget has
// no room: make one with NewBudget.
type Budget struct {
	limits  Limits
	total   int64
	members int
}

// NewBudget starts counting against l.
func NewBudget(l Limits) *Budget { return &Budget{limits: l} }

// Admit counts a member of the given expanded size, as its tar header
// declares it, and returns an ETOOLARGE error once a limit is passed, so
// the caller refuses the archive before writing the member.
func (b *Budget) Admit(name string, size int64) error {
	b.members++
	if b.members > b.limits.MaxMembers {
		return engine.Errorf(engine.ETOOLARGE, "the backup holds more than %d members: refused, nothing was restored. If it is genuine, raise --max-members", b.limits.MaxMembers)
	}
	if size < 0 || size > b.limits.MaxMember {
		return engine.Errorf(engine.ETOOLARGE, "the backup's member %s expands to %s, past the limit of %s: refused, nothing was restored. If it is genuine, raise --max-size",
			name, engine.FormatBytes(size), engine.FormatBytes(b.limits.MaxMember))
	}
	b.total += size
	if b.total > b.limits.MaxTotal {
		return engine.Errorf(engine.ETOOLARGE, "the backup expands to more than %s: refused, nothing was restored. If it is genuine, raise --max-size",
			engine.FormatBytes(b.limits.MaxTotal))
	}
	return nil
}

// String describes the limits for messages.
func (l Limits) String() string {
	return fmt.Sprintf("%s in all, %d members", engine.FormatBytes(l.MaxTotal), l.MaxMembers)
}
