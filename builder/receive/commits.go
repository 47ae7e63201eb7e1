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
// source's commit and from none of exclude (git rev-list commit --not
// exclude...), merges included, with their committer and author dates.
// Exclusions that are not full object names of commits in the repository
// are ignored; when exclude names some and none is in the repository, it
// returns *engine.Error ENOTFOUND rather than the whole history.
func (s *Source) Commits(ctx context.Context, exclude []string, limit int) ([]engine.Commit, error) {
	if limit <= 0 {
		return nil, nil
	}
	args := []string{"log", "-z", "--format=%H %P%x01%ct %at", "--max-count=" + strconv.Itoa(limit), s.commit}
	var not []string
	for _, c := range exclude {
		if isObjectID(c) && s.hasCommit(ctx, c) {
			not = append(not, "^"+c)
		}
	}
	if len(exclude) > 0 && len(not) == 0 {
		return nil, engine.Errorf(engine.ENOTFOUND, "none of the commits %v is in the repository", exclude)
	}
	var out bytes.Buffer
	cmd := s.command(ctx, append(append(args, not...), "--")...)
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
