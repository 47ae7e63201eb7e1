package receive

import (
	"context"
	"os/exec"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

// RepoSources opens commits of the apps' bare repositories <app>.git
// under Dir (engine.SourceOpener), for rebuilding the images a restore did
// not bring back.
type RepoSources struct{ Dir string }

var _ engine.SourceOpener = RepoSources{}

// OpenSource implements engine.SourceOpener. An app name that is not a
// plain file name and a commit that is not a full id are EINVALID; a
// commit the repository does not have is ENOTFOUND.
func (s RepoSources) OpenSource(ctx context.Context, app, commit string) (engine.Source, error) {
	if app == "" || filepath.Base(app) != app || app[0] == '.' {
		return nil, engine.Errorf(engine.EINVALID, "%q is not an app name", app)
	}
	gitDir := filepath.Join(s.Dir, app+".git")
	src, err := NewSource(gitDir, commit, nil)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "release commit %q of %s is not a full commit id", commit, app)
	}
	cmd := exec.CommandContext(ctx, "git", "--git-dir", gitDir, "cat-file", "-e", commit+"^{commit}")
	if err := cmd.Run(); err != nil {
		return nil, engine.Errorf(engine.ENOTFOUND, "commit %.7s is not in the repository of %s, so its image cannot be rebuilt: push %s again", commit, app, app)
	}
	return src, nil
}
