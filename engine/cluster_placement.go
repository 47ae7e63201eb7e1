package engine

import (
	"context"
	"regexp"
	"strings"
)

// Bounds of an app's placement.
const (
	maxConstraints   = 10
	maxConstraintLen = 200
)

// constraintRe is a Swarm placement constraint Quayside accepts: a node
// attribute or label, == or !=, and a plain value.
var constraintRe = regexp.MustCompile(`^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9][A-Za-z0-9_.-]{0,99})|engine\.labels\.[A-Za-z0-9][A-Za-z0-9_.-]{0,99})\s*(==|!=)\s*[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$`)

// ParseConstraints checks placement constraints such as
// "node.labels.region==eu" and returns them trimmed; EINVALID says which
// one is wrong and what a valid one looks like.
func ParseConstraints(list []string) ([]string, error) {
	if len(list) > maxConstraints {
		return nil, FieldError("constraints", "at most %d constraints, not %d", maxConstraints, len(list))
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		c = strings.TrimSpace(c)
		if len(c) > maxConstraintLen || !constraintRe.MatchString(c) {
			return nil, FieldError("constraints", "%q is not a placement constraint: write ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE with node.labels.NAME, node.hostname, node.id, node.role, node.platform.os, node.platform.arch or engine.labels.NAME, for example node.labels.region==eu", PlainText(c))
		}
		out = append(out, c)
	}
	return out, nil
}

// Placement returns where app's replicas may run. Needs ActReadApp.
func (e *Engine) Placement(ctx context.Context, app string) ([]string, error) {
	if _, err := e.FindApp(ctx, app); err != nil {
		return nil, err
	}
	if e.cfg.Placement == nil {
		return []string{}, nil
	}
	return e.cfg.Placement.Placement(ctx, app)
}

// SetPlacement limits the nodes app's replicas may run on; an empty list
// lets them run anywhere. It applies from the next deploy, restart or
// scale. Placement decides which machines run an app: server admins only.
func (e *Engine) SetPlacement(ctx context.Context, app string, constraints []string) (out []string, err error) {
	if err := e.authorize(ctx, ActServer, ""); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditClusterPlacement, app, strings.Join(out, " "), "", err) }()
	if e.cfg.Placement == nil {
		return nil, Errorf(ENOTIMPLEMENTED, "this server runs without cluster support")
	}
	if out, err = ParseConstraints(constraints); err != nil {
		return nil, err
	}
	if _, err := e.appForChange(ctx, app); err != nil {
		return nil, err
	}
	return out, e.cfg.Placement.SetPlacement(ctx, app, out)
}

// placementOf returns the constraints of app for a new replica.
func (e *Engine) placementOf(ctx context.Context, app string) ([]string, error) {
	if e.cfg.Placement == nil {
		return nil, nil
	}
	return e.cfg.Placement.Placement(ctx, app)
}
