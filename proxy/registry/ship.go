package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/image"
	dregistry "github.com/docker/docker/api/types/registry"

	"github.com/quayside/quayside/engine"
)

// tagPrefix starts the registry tags Ship writes: "id-" and the hex of the
// local image ID, so Collect can tell from a tag whether the manager still
// keeps the image.
const tagPrefix = "id-"

// Ship makes image (a local image on the manager's daemon) pullable by every
// node: tags it into the registry, pushes it, and returns the reference by
// digest and the base64 registry auth to pass as EncodedRegistryAuth to
// ServiceCreate/ServiceUpdate. The auth is app's pull-only credential: it
// reads app's repository and nothing else. Shipping an image again pushes
// nothing new and returns the same reference.
func (r *Registry) Ship(ctx context.Context, app, img string) (ref, encodedAuth string, err error) {
	if !appNameRe.MatchString(app) {
		return "", "", engine.Errorf(engine.EINVALID, "ship image: %q is not an app name (lowercase letters, digits and dashes)", app)
	}
	r.shipMu.RLock()
	defer r.shipMu.RUnlock()
	insp, err := r.cfg.Docker.ImageInspect(ctx, img)
	if err != nil {
		return "", "", fmt.Errorf("ship image: inspect %s: %w", img, err)
	}
	target := r.cfg.Host + "/" + app + ":" + tagPrefix + strings.TrimPrefix(insp.ID, "sha256:")
	unlock := r.lockTarget(target)
	defer unlock()
	if err := r.cfg.Docker.ImageTag(ctx, insp.ID, target); err != nil {
		return "", "", fmt.Errorf("ship image: tag %s: %w", target, err)
	}
	dgst, err := r.push(ctx, target)
	if len(insp.RepoTags) > 0 { // the image keeps its own tags; drop ours so retention sees it as before
		_, _ = r.cfg.Docker.ImageRemove(context.WithoutCancel(ctx), target, image.RemoveOptions{})
	}
	if err != nil {
		return "", "", err
	}
	auth, err := encodeAuth(r.keys.pull(app), r.cfg.Host)
	if err != nil {
		return "", "", err
	}
	return r.cfg.Host + "/" + app + "@" + dgst, auth, nil
}

// lockTarget serializes Ships of one image into one repository: one's
// untag must not meet the other's push.
func (r *Registry) lockTarget(target string) (unlock func()) {
	r.targetsMu.Lock()
	if r.targets == nil {
		r.targets = map[string]*targetLock{}
	}
	l := r.targets[target]
	if l == nil {
		l = &targetLock{}
		r.targets[target] = l
	}
	l.users++
	r.targetsMu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		r.targetsMu.Lock()
		if l.users--; l.users == 0 {
			delete(r.targets, target)
		}
		r.targetsMu.Unlock()
	}
}

type targetLock struct {
	mu    sync.Mutex
	users int
}

// push pushes target with the push credential and returns the manifest
// digest the registry reported.
func (r *Registry) push(ctx context.Context, target string) (string, error) {
	auth, err := encodeAuth(r.keys.push(), r.cfg.Host)
	if err != nil {
		return "", err
	}
	rc, err := r.cfg.Docker.ImagePush(ctx, target, image.PushOptions{RegistryAuth: auth})
	if err != nil {
		return "", fmt.Errorf("ship image: push %s: %w", target, err)
	}
	defer rc.Close()
	dgst, err := pushDigest(rc)
	if err != nil {
		return "", fmt.Errorf("ship image: push %s: %w", target, err)
	}
	return dgst, nil
}

// pushDigest reads a push's JSON message stream to its end and returns the
// digest of the pushed manifest, or the first error the stream reports.
func pushDigest(body io.Reader) (string, error) {
	dec := json.NewDecoder(body)
	var dgst string
	for {
		var m struct {
			Error string
			Aux   struct{ Digest string }
		}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return "", fmt.Errorf("read push output: %w", err)
		}
		if m.Error != "" {
			return "", fmt.Errorf("%s", m.Error)
		}
		if m.Aux.Digest != "" {
			dgst = m.Aux.Digest
		}
	}
	if !strings.HasPrefix(dgst, "sha256:") {
		return "", fmt.Errorf("the push reported no digest")
	}
	return dgst, nil
}

// encodeAuth encodes a credential the way the Docker API takes it.
func encodeAuth(c Credential, host string) (string, error) {
	s, err := dregistry.EncodeAuthConfig(dregistry.AuthConfig{Username: c.User, Password: c.Password, ServerAddress: host})
	if err != nil {
		return "", fmt.Errorf("encode registry auth: %w", err)
	}
	return s, nil
}
