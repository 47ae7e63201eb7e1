package engine

import (
	"context"
	"regexp"
)

// imageRefRe matches a Docker image reference: [registry/]name[:tag][@digest].
var imageRefRe = regexp.MustCompile(`^[a-z0-9]+([._/:-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$`)

// ValidateImageRef reports whether ref looks like an image reference.
func ValidateImageRef(ref string) error {
	if len(ref) > 255 || !imageRefRe.MatchString(ref) {
		return FieldError("image", "%q is not an image reference such as heroku/builder:24", ref)
	}
	return nil
}

// SetBuilder sets the buildpack builder image of app; "" returns it to the
// server's default. It applies from the next push. Only admins may choose
// an image that Config.Builders does not allow (see BuilderPolicy): others
// get EFORBIDDEN naming who can allow it, and the refusal is audited.
func (e *Engine) SetBuilder(ctx context.Context, name, image string) (*App, error) {
	if image != "" {
		if err := ValidateImageRef(image); err != nil {
			return nil, err
		}
	}
	if err := e.authorize(ctx, ActSettings, name); err != nil {
		return nil, err
	}
	if err := e.authorizeBuilder(ctx, name, image); err != nil {
		return nil, err
	}
	return e.updateApp(ctx, name, func(app *App) { app.Builder = image })
}

// ClearBuildCache forgets what earlier builds of app left for the next one.
func (e *Engine) ClearBuildCache(ctx context.Context, name string) (err error) {
	if err := e.authorize(ctx, ActSettings, name); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditSettings, name, "build-cache", "cleared", err) }()
	if _, err := e.cfg.Store.FindApp(ctx, name); err != nil {
		return err
	}
	return e.clearCache(ctx, name)
}

// Processes lists the containers app runs now, as the runtime sees them.
func (e *Engine) Processes(ctx context.Context, name string) ([]*Container, error) {
	if _, err := e.FindApp(ctx, name); err != nil {
		return nil, err
	}
	return e.cfg.Runtime.Containers(ctx, name)
}

// clearCache forgets the build cache of app, if the builder keeps one.
func (e *Engine) clearCache(ctx context.Context, app string) error {
	if c, ok := e.cfg.Builder.(CacheClearer); ok {
		return c.ClearCache(ctx, app)
	}
	return nil
}
