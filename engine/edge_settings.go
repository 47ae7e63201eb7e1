package engine

import "context"

// EdgeChange changes some of an app's edge settings; nil fields stay.
type EdgeChange struct {
	HTTPSRedirect   *bool
	HSTS            *bool
	Maintenance     *bool
	MaintenancePage *string
}

// SetEdge applies ch to app and routes with the new settings at once.
func (e *Engine) SetEdge(ctx context.Context, name string, ch EdgeChange) (*App, error) {
	if ch.MaintenancePage != nil {
		if err := ValidateMaintenancePage(*ch.MaintenancePage); err != nil {
			return nil, err
		}
	}
	return e.updateEdge(ctx, name, func(ed *Edge) {
		setIf(&ed.HTTPSRedirect, ch.HTTPSRedirect)
		setIf(&ed.HSTS, ch.HSTS)
		setIf(&ed.Maintenance, ch.Maintenance)
		setIf(&ed.MaintenancePage, ch.MaintenancePage)
	})
}

// SetBasicAuth requires HTTP basic auth for app with user and a password
// hash (never the password); an empty user removes the requirement.
func (e *Engine) SetBasicAuth(ctx context.Context, name, user, hash string) (*App, error) {
	if user != "" {
		if err := ValidateBasicAuthUser(user); err != nil {
			return nil, err
		}
		if hash == "" {
			return nil, FieldError("password", "a password is required")
		}
	} else {
		hash = ""
	}
	return e.updateEdge(ctx, name, func(ed *Edge) { ed.BasicAuthUser, ed.BasicAuthHash = user, hash })
}

// updateEdge changes app's edge settings under its lock and re-routes.
func (e *Engine) updateEdge(ctx context.Context, name string, change func(*Edge)) (app *App, err error) {
	if err := e.authorize(ctx, ActDomains, name); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditEdge, name, "", "", err) }()
	ctx, unlock, err := e.lockApp(ctx, name, newProgress(nil))
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err = e.appForChange(ctx, name)
	if err != nil {
		return nil, err
	}
	change(&app.Edge)
	if err := e.cfg.Store.UpdateApp(ctx, app); err != nil {
		return nil, err
	}
	return app, e.refreshRoute(ctx, app)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
