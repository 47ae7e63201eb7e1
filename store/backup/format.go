package backup

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

// FormatVersion is the version of the backup archive's layout. A restore
// refuses archives of a newer format.
const FormatVersion = 1

// Members of a backup archive (tar + gzip), in this order: the header,
// the data dir's files under dataPrefix, the images, the manifest last
// (it holds the checksum of every member before it).
const (
	headerMember   = "quayside-backup.json"
	manifestMember = "manifest.json"
	imagesMember   = "images/images.tar"
	dataPrefix     = "data/"
)

// backedUp are the data dir's entries a backup holds. The rest (logs,
// sockets, the lock, temporary files) is not needed to serve the apps.
var backedUp = []string{
	"quayside.db", "secret.key", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub",
	"certs", "repos", "metrics-history.gob", addonsDir,
}

// Header describes a backup. It is the archive's first member, so a
// restore refuses a newer format before reading the rest, and it is
// repeated in the manifest.
type Header struct {
	Format          int       `json:"format"`
	QuaysideVersion string    `json:"quayside_version"`
	Schema          int       `json:"schema"`
	Instance        string    `json:"instance"`
	Created         time.Time `json:"created"`
	Apps            []string  `json:"apps"`
	// Images are the release images saved in images/images.tar; none
	// unless the backup was made with --with-images.
	Images []string `json:"images,omitempty"`
}

// Manifest is the archive's last member.
type Manifest struct {
	Header
	Members []Member `json:"members"`
}

// Member is one member of the archive before the manifest.
type Member struct {
	Path   string `json:"path"`
	Dir    bool   `json:"dir,omitempty"`
	Size   int64  `json:"size"`
	Mode   uint32 `json:"mode"`
	SHA256 string `json:"sha256,omitempty"`
}

// CheckReadable refuses a backup that a Quayside of version cannot restore:
// a newer format or schema, or a header without format or instance.
func (h *Header) CheckReadable(version string) error {
	if h.Format < 1 {
		return engine.Errorf(engine.EINVALID, "this is not a Quayside backup (its header has no format version)")
	}
	if h.Format > FormatVersion || h.Schema > store.SchemaVersion() {
		return engine.Errorf(engine.EINVALID,
			"this backup was made by a newer Quayside (%s, backup format %d, database schema %d); this one (%s) reads up to format %d and schema %d: upgrade Quayside first (quayside upgrade), then restore",
			h.QuaysideVersion, h.Format, h.Schema, version, FormatVersion, store.SchemaVersion())
	}
	if h.Instance == "" {
		return engine.Errorf(engine.EINVALID, "the backup's header names no instance: it is damaged")
	}
	return nil
}

// checkMemberPath refuses archive paths a restore must never write: only
// the header, the manifest, the images and the backed-up entries of the
// data dir, as clean relative paths.
func checkMemberPath(p string) error {
	switch p {
	case headerMember, manifestMember, imagesMember:
		return nil
	}
	rel, ok := strings.CutPrefix(p, dataPrefix)
	bad := !ok || rel == "" || path.Clean(rel) != rel || path.IsAbs(rel) || strings.ContainsRune(rel, 0)
	for _, seg := range strings.Split(rel, "/") {
		bad = bad || seg == ".." || seg == "."
	}
	if bad || !isBackedUp(strings.SplitN(rel, "/", 2)[0]) {
		return engine.Errorf(engine.EINVALID, "the backup holds %q, which no Quayside backup has: it was not made by `quayside backup`", p)
	}
	return nil
}

func isBackedUp(name string) bool {
	for _, b := range backedUp {
		if name == b {
			return true
		}
	}
	return false
}

// verify checks the members read against the manifest: the same paths,
// in the same order, with the same sizes and checksums.
func (m *Manifest) verify(got []Member) error {
	if len(got) != len(m.Members) {
		return corrupt(fmt.Sprintf("it holds %d members where its manifest lists %d", len(got), len(m.Members)))
	}
	for i, want := range m.Members {
		g := got[i]
		if g.Path != want.Path || g.Dir != want.Dir {
			return corrupt(fmt.Sprintf("member %d is %s where the manifest lists %s", i+1, g.Path, want.Path))
		}
		if g.Size != want.Size || g.SHA256 != want.SHA256 {
			return corrupt(fmt.Sprintf("%s does not match its checksum in the manifest", g.Path))
		}
	}
	return nil
}

// sameHeader checks that the manifest repeats the header.
func (m *Manifest) sameHeader(h *Header) error {
	if m.Format != h.Format || m.Instance != h.Instance || !m.Created.Equal(h.Created) || m.Schema != h.Schema {
		return corrupt("its manifest does not match its header")
	}
	return nil
}

// corrupt is the error for a backup whose content does not check out.
func corrupt(why string) error {
	return engine.Errorf(engine.EINVALID, "the backup is damaged (%s): nothing was restored; use another copy of it", why)
}

// truncated is the error for a backup that ends too early.
func truncated(why string) error {
	return engine.Errorf(engine.EINVALID, "the backup is incomplete (%s): it was probably cut short while being made or copied; nothing was restored", why)
}
