package receive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
)

// MaxReadFileBytes caps what Source.ReadFile returns: it reads small files
// (a Dockerfile, a Procfile); the whole tree goes through Archive.
const MaxReadFileBytes = 16 << 20

// sourceWaitDelay bounds how long a canceled git process may hold its pipes.
const sourceWaitDelay = 5 * time.Second

// Source is one commit of a bare repository, read with git. During a
// pre-receive hook it reads the pushed objects from git's quarantine. It
// implements engine.Source; canceling a call's context kills its git
// process.
type Source struct {
	gitDir string
	commit string
	env    []string
}

var _ engine.Source = (*Source)(nil)

// NewSource returns the Source of commit (a full object name) in the bare
// repository gitDir. env is git's quarantine environment
// (GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY,
// GIT_ALTERNATE_OBJECT_DIRECTORIES) while the pushed objects are still in
// quarantine, nil otherwise.
func NewSource(gitDir, commit string, env []string) (*Source, error) {
	if !isObjectID(commit) {
		return nil, fmt.Errorf("source: %q is not a full object name", commit)
	}
	return &Source{gitDir: gitDir, commit: commit, env: env}, nil
}

// Archive writes the commit's tree to w as an uncompressed tar stream.
func (s *Source) Archive(ctx context.Context, w io.Writer) error {
	cmd := s.command(ctx, "archive", "--format=tar", s.commit)
	cmd.Stdout = w
	return s.run(ctx, cmd, "archive")
}

// maxSubjectBytes bounds the commit subject a release keeps.
const maxSubjectBytes = 200

// Subject returns the first line of the commit's message (at most
// maxSubjectBytes of it), "" when it cannot be read: it only describes.
func (s *Source) Subject(ctx context.Context) string {
	cmd := s.command(ctx, "log", "-1", "--no-show-signature", "--format=%s", s.commit)
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, n: maxSubjectBytes}
	if err := s.run(ctx, cmd, "read subject of"); err != nil {
		return ""
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	return strings.ToValidUTF8(strings.TrimSpace(line), "")
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	keep := p[:min(len(p), l.n)]
	l.n -= len(keep)
	if len(keep) > 0 {
		if _, err := l.w.Write(keep); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// ReadFile returns the content of one regular file of the commit's tree.
// name is relative to the tree's root and may not contain "..". A missing
// file, a directory, a symbolic link or a submodule is *engine.Error
// ENOTFOUND; a file over MaxReadFileBytes is ETOOLARGE.
func (s *Source) ReadFile(ctx context.Context, name string) ([]byte, error) {
	clean, err := cleanTreePath(name)
	if err != nil {
		return nil, err
	}
	e, err := s.lookup(ctx, clean)
	if err != nil {
		return nil, err
	}
	if e.size > MaxReadFileBytes {
		return nil, engine.Errorf(engine.ETOOLARGE, "%s is %d bytes: Quayside reads files of up to %d bytes", clean, e.size, MaxReadFileBytes)
	}
	var buf bytes.Buffer
	cmd := s.command(ctx, "cat-file", "blob", e.oid)
	cmd.Stdout = &buf
	if err := s.run(ctx, cmd, "read "+clean); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// treeEntry is a regular file found by git ls-tree -l.
type treeEntry struct {
	oid  string
	size int64
}

// lookup finds the regular file at clean in the commit's tree.
func (s *Source) lookup(ctx context.Context, clean string) (treeEntry, error) {
	var out bytes.Buffer
	cmd := s.command(ctx, "ls-tree", "-z", "-l", s.commit, "--", clean)
	cmd.Stdout = &out
	if err := s.run(ctx, cmd, "look up "+clean); err != nil {
		return treeEntry{}, err
	}
	for _, rec := range strings.Split(out.String(), "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || p != clean || len(f) != 4 {
			continue
		}
		if f[1] != "blob" || f[0] == "120000" {
			return treeEntry{}, engine.Errorf(engine.ENOTFOUND, "%s is not a regular file in commit %.7s", clean, s.commit)
		}
		size, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return treeEntry{}, fmt.Errorf("parse ls-tree size %q: %w", f[3], err)
		}
		return treeEntry{oid: f[2], size: size}, nil
	}
	return treeEntry{}, engine.Errorf(engine.ENOTFOUND, "%s does not exist in commit %.7s", clean, s.commit)
}

// cleanTreePath checks that name is a relative path inside the tree.
func cleanTreePath(name string) (string, error) {
	bad := name == "" || path.IsAbs(name) || strings.ContainsRune(name, 0)
	for _, seg := range strings.Split(name, "/") {
		bad = bad || seg == ".."
	}
	clean := path.Clean(name)
	if bad || clean == "." {
		return "", engine.FieldError("path", "%q is not a relative path inside the repository", name)
	}
	return clean, nil
}

// command prepares git in the repository with the quarantine environment.
func (s *Source) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = s.gitDir
	cmd.Env = gitEnv(append([]string{"GIT_DIR=" + s.gitDir}, s.env...)...)
	cmd.WaitDelay = sourceWaitDelay
	return cmd
}

// run runs cmd, keeping the end of its stderr for the error.
func (s *Source) run(ctx context.Context, cmd *exec.Cmd, what string) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s commit %.7s: %w", what, s.commit, ctx.Err())
		}
		return fmt.Errorf("%s commit %.7s: %w: %s", what, s.commit, err, tail(stderr.Bytes()))
	}
	return nil
}
