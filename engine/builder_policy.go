package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// AuditBuilderDenied records a developer's refused attempt to choose a
// builder image the server does not allow them.
const AuditBuilderDenied = "denied.app.builder"

// BuilderPolicy says which buildpack builder images an app may be set to by
// whom. A builder runs its own code during the build, so choosing one is
// choosing what runs on the server: admins may choose any image; other
// roles may choose only the server's own builders and the images admins
// allowed. Returning an app to the server's default is always allowed.
type BuilderPolicy struct {
	// Defaults are the server's own builder images: its default (the
	// --builder it was started with, or what it picks by itself) and the
	// offline builder it ships.
	Defaults []string
	// Allowed are the images admins let developers choose (the server's
	// --allowed-builders). An entry ending in "/*" allows every image whose
	// reference starts with what comes before the "*", such as "acme/*"
	// for acme/builder:1 and acme/ruby/builder:2.
	Allowed []string
}

// Allows reports whether a developer may set an app's builder to image.
func (p BuilderPolicy) Allows(image string) bool {
	if image == "" || slices.Contains(p.Defaults, image) {
		return true
	}
	for _, a := range p.Allowed {
		if a == image {
			return true
		}
		if prefix, ok := strings.CutSuffix(a, "*"); ok && strings.HasSuffix(prefix, "/") && strings.HasPrefix(image, prefix) {
			return true
		}
	}
	return false
}

// ValidateAllowedBuilder reports whether entry is a valid entry of
// BuilderPolicy.Allowed: an image reference, or a repository prefix ending
// in "/*".
func ValidateAllowedBuilder(entry string) error {
	if prefix, ok := strings.CutSuffix(entry, "/*"); ok {
		last := prefix[strings.LastIndex(prefix, "/")+1:]
		if err := ValidateImageRef(prefix); err != nil || strings.ContainsAny(last, ":@") {
			return FieldError("allowed-builders", "%q is neither an image reference such as acme/builder:1 nor a prefix such as acme/*", entry)
		}
		return nil
	}
	if err := ValidateImageRef(entry); err != nil {
		return FieldError("allowed-builders", "%q is neither an image reference such as acme/builder:1 nor a prefix such as acme/*", entry)
	}
	return nil
}

// authorizeBuilder refuses, with EFORBIDDEN, a non-admin's choice of a
// builder image the policy does not allow, and records the refusal. Callers
// have authorised ActSettings on app already.
func (e *Engine) authorizeBuilder(ctx context.Context, app, image string) error {
	id, ok := IdentityFrom(ctx)
	if e.cfg.Access == nil || !ok || mayChooseBuilder(id, e.cfg.Builders, image) {
		return nil
	}
	err := Errorf(EFORBIDDEN, "Only an admin may build %s with the builder %s: a builder runs its own code on the server during builds. "+
		"Ask an admin to set it (quayside builder set %s %s), or to allow it for developers with the server flag --allowed-builders %s "+
		"(QUAYSIDE_ALLOWED_BUILDERS). %s",
		app, image, app, image, image, e.builderChoices())
	e.audit(ctx, AuditBuilderDenied, app, "builder", "", err)
	return err
}

// builderChoices says, in a sentence, which builders developers may choose.
func (e *Engine) builderChoices() string {
	choices := append(slices.Clone(e.cfg.Builders.Defaults), e.cfg.Builders.Allowed...)
	if len(choices) == 0 {
		return "Developers may only return the app to the server's default builder (quayside builder unset)."
	}
	return fmt.Sprintf("Developers may choose %s, or the server's default (quayside builder unset).", strings.Join(choices, ", "))
}
