package engine

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Config limits.
const (
	MaxConfigKeyLen     = 128
	MaxConfigValueLen   = 32 << 10
	MaxConfigTotalBytes = 256 << 10
	MaxConfigVars       = 500
)

// ConfigVersion is one immutable, numbered snapshot of an app's environment.
// Every change makes a new version; releases point at the version they run with.
type ConfigVersion struct {
	App     string
	Version int
	Vars    map[string]string
	// RuntimeOnly are the keys of Vars that builds never see (sorted, each
	// a key of Vars): the app gets them when it runs, the build does not.
	RuntimeOnly []string
	Author      string
	CreatedAt   time.Time
}

// Keys returns the variable names in sorted order.
func (c *ConfigVersion) Keys() []string {
	keys := make([]string, 0, len(c.Vars))
	for k := range c.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// BuildEnv returns the variables a build of this version sees: all of them
// but the runtime-only ones. The result is a new map.
func (c *ConfigVersion) BuildEnv() map[string]string {
	env := make(map[string]string, len(c.Vars))
	for k, v := range c.Vars {
		env[k] = v
	}
	for _, k := range c.RuntimeOnly {
		delete(env, k)
	}
	return env
}

// IsRuntimeOnly reports whether key is marked runtime-only.
func (c *ConfigVersion) IsRuntimeOnly(key string) bool {
	return slices.Contains(c.RuntimeOnly, key)
}

// ConfigStore persists config versions. Values are secrets: implementations
// must encrypt them at rest.
type ConfigStore interface {
	// CreateConfigVersion stores cv, assigning the app's next version number
	// and CreatedAt. It does not make the version current.
	CreateConfigVersion(ctx context.Context, cv *ConfigVersion) error
	// FindConfigVersion returns a version; version 0 is the empty config.
	FindConfigVersion(ctx context.Context, app string, version int) (*ConfigVersion, error)
	// SetAppConfigVersion makes version current for an app that has no release yet.
	SetAppConfigVersion(ctx context.Context, app string, version int) error
}

var configKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidateConfigKey reports whether key can name an environment variable the
// app may set. PORT and names starting with QUAYSIDE_ belong to the platform.
func ValidateConfigKey(key string) error {
	switch {
	case key == "":
		return FieldError("key", "config key is empty")
	case len(key) > MaxConfigKeyLen:
		return FieldError(key, "config key %.40q... is longer than %d characters", key, MaxConfigKeyLen)
	case !configKeyRe.MatchString(key):
		return FieldError(key, "config key %q is not a valid environment variable name: use letters, digits and underscores, not starting with a digit", key)
	case key == "PORT":
		return FieldError(key, "config key PORT is set by Quayside: the app must listen on the port it is given")
	case strings.HasPrefix(strings.ToUpper(key), "QUAYSIDE_"):
		return FieldError(key, "config keys starting with QUAYSIDE_ are reserved for the platform")
	}
	return nil
}

// ValidateConfigValue reports whether value can be stored under key.
func ValidateConfigValue(key, value string) error {
	if len(value) > MaxConfigValueLen {
		return FieldError(key, "value of %s is %d bytes: the limit is %d", key, len(value), MaxConfigValueLen)
	}
	if strings.ContainsRune(value, 0) {
		return FieldError(key, "value of %s contains a NUL byte, which environment variables cannot hold", key)
	}
	return nil
}

// ValidateConfig checks a whole set of variables, including the total size.
func ValidateConfig(vars map[string]string) error {
	if len(vars) > MaxConfigVars {
		return FieldError("config", "an app may have at most %d config variables", MaxConfigVars)
	}
	total := 0
	for k, v := range vars {
		if err := ValidateConfigKey(k); err != nil {
			return err
		}
		if err := ValidateConfigValue(k, v); err != nil {
			return err
		}
		total += len(k) + len(v)
	}
	if total > MaxConfigTotalBytes {
		return FieldError("config", "config is %d bytes in total: the limit is %d", total, MaxConfigTotalBytes)
	}
	return nil
}
