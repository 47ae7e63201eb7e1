package receive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// quarantineEnv returns the environment that lets git read a push's
// quarantined objects. The hook reports where git put them; the path must be
// a real directory directly inside gitDir/objects (git names it
// tmp_objdir-incoming-*), so a hook request cannot point the server at any
// other place. The alternates are the repository's own objects. No
// quarantine (an old git, or a push that sent no objects) gives nil.
func quarantineEnv(gitDir string, q quarantine) ([]string, error) {
	if q.Path == "" && q.ObjectDir == "" {
		return nil, nil
	}
	path := filepath.Clean(q.Path)
	if !filepath.IsAbs(path) || filepath.Clean(q.ObjectDir) != path ||
		!strings.HasPrefix(filepath.Base(path), "tmp_objdir-") {
		return nil, fmt.Errorf("quarantine %+v is not git's", q)
	}
	objects := filepath.Join(gitDir, "objects")
	if err := sameDir(filepath.Dir(path), objects); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("quarantine %s is not a directory", path)
	}
	return []string{
		"GIT_QUARANTINE_PATH=" + path,
		"GIT_OBJECT_DIRECTORY=" + path,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES=" + objects,
	}, nil
}

// sameDir reports an error unless a and b are the same directory once
// symbolic links are resolved (git reports paths from getcwd).
func sameDir(a, b string) error {
	ra, err := filepath.EvalSymlinks(a)
	if err != nil {
		return fmt.Errorf("resolve quarantine parent: %w", err)
	}
	rb, err := filepath.EvalSymlinks(b)
	if err != nil {
		return fmt.Errorf("resolve objects directory: %w", err)
	}
	if ra != rb {
		return fmt.Errorf("quarantine is in %s, not in %s", ra, rb)
	}
	return nil
}
