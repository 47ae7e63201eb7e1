package receive

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
)

var _ engine.CommitLog = (*Source)(nil)

// Commits lists, newest first, up to limit commits reachable from the
// source's commit and not from since (git rev-list since..commit), merges
// included, with their committer and author dates. since "" lists from the
// commit back. A since that is not a full object name, or that the
// repository does not have, is *engine.Error ENOTFOUND.
func (s *Source) Commits(ctx context.Context, since string, limit int) ([]engine.Commit, error) {
	if limit <= 0 {
		return nil, nil
	}
	args := []string{"log", "-z", "--format=%H %P%x01%ct %at", "--max-count=" + strconv.Itoa(limit), s.commit}
	if since != "" {
		if !isObjectID(since) || !s.hasCommit(ctx, since) {
			return nil, engine.Errorf(engine.ENOTFOUND, "commit %.7s is not in the repository", since)
		}
		args = append(args, "^"+since)
	}
	var out bytes.Buffer
	cmd := s.command(ctx, append(args, "--")...)
	cmd.Stdout = &out
	if err := s.run(ctx, cmd, "list commits of"); err != nil {
		return nil, err
	}
	return parseCommits(out.String())
}

// hasCommit reports whether oid names a commit of the repository.
func (s *Source) hasCommit(ctx context.Context, oid string) bool {
	cmd := s.command(ctx, "cat-file", "-e", oid+"^{commit}")
	return cmd.Run() == nil
}

// parseCommits reads NUL-separated "sha parents...\x01committer author"
// records, dates in Unix seconds.
func parseCommits(out string) ([]engine.Commit, error) {
	var cs []engine.Commit
	for _, rec := range strings.Split(out, "\x00") {
		rec = strings.TrimSpace(rec)
		if rec == "" {
			continue
		}
		ids, dates, ok := strings.Cut(rec, "\x01")
		f, d := strings.Fields(ids), strings.Fields(dates)
		if !ok || len(f) == 0 || len(d) != 2 {
			return nil, fmt.Errorf("parse git log record %q", rec)
		}
		c := engine.Commit{SHA: f[0], Parents: len(f) - 1}
		var err error
		if c.Committed, err = unixTime(d[0]); err != nil {
			return nil, err
		}
		if c.Authored, err = unixTime(d[1]); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func unixTime(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse commit date %q: %w", s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}
