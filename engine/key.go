package engine

import (
	"context"
	"regexp"
	"time"
)

// Key is an SSH public key allowed to push.
type Key struct {
	Name string
	// Fingerprint is the SHA256 fingerprint as OpenSSH prints it ("SHA256:...").
	Fingerprint string
	// PublicKey is the key in authorized_keys format, without options.
	PublicKey string
	// Owner says whom the key acts as: KeyOwnerUser, KeyOwnerServer or
	// KeyOwnerLegacy.
	Owner string
	// User is the owning user's e-mail when Owner is KeyOwnerUser, else "".
	User      string
	CreatedAt time.Time
}

// Key owners.
const (
	// KeyOwnerUser: the key acts as Key.User, with that user's current
	// role; it stops working when the user is disabled or removed.
	KeyOwnerUser = "user"
	// KeyOwnerServer: the key acts as the server's owner, an admin. Only
	// the control socket adds such keys.
	KeyOwnerServer = "server"
	// KeyOwnerLegacy: the key was stored without an owner by an older
	// version (before keys had explicit owners) and acts as the server's
	// owner, an admin, until someone removes it.
	KeyOwnerLegacy = "legacy"
)

// ActsAsServerOwner reports whether k pushes as the server's owner.
func (k *Key) ActsAsServerOwner() bool {
	return k.Owner == KeyOwnerServer || k.Owner == KeyOwnerLegacy
}

var keyNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidateKeyName reports whether name can name a key.
func ValidateKeyName(name string) error {
	if !keyNameRe.MatchString(name) {
		return FieldError("name", "key name %q is not valid: use up to 64 letters, digits, dots, hyphens, underscores or @, starting with a letter or digit", name)
	}
	return nil
}

// KeyStore persists SSH keys. AddKey returns ECONFLICT when the name or the
// fingerprint is already present; lookups and RemoveKey return ENOTFOUND.
type KeyStore interface {
	AddKey(ctx context.Context, k *Key) error
	ListKeys(ctx context.Context) ([]*Key, error)
	FindKeyByFingerprint(ctx context.Context, fingerprint string) (*Key, error)
	RemoveKey(ctx context.Context, name string) error
}

// SettingStore keeps small server-wide values (such as the instance ID).
type SettingStore interface {
	// Setting returns the value and whether it was set.
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Store is everything the engine persists.
type Store interface {
	AppStore
	ReleaseStore
	ConfigStore
	KeyStore
	SettingStore
	DomainStore
	EventStore
	ReleaseOutputStore
	LimitStore
	PreviewStore
	InsightsStore
	CatalogStore
	CronStore
	AddonStore
}
