package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/quayside/quayside/engine"
)

// maxImageRefs bounds the references one ReleasesUsingImage call takes
// (an image's ID and tags), far below SQLite's limit on parameters.
const maxImageRefs = 100

// ReleasesUsingImage returns the releases of every app whose image is one
// of refs (an image's ID and its tags), ordered by app name and newest
// release first. Empty refs are ignored; more than 100 refs is EINVALID.
func (db *DB) ReleasesUsingImage(ctx context.Context, refs []string) ([]*engine.Release, error) {
	refs = nonEmpty(refs)
	if len(refs) == 0 {
		return nil, nil
	}
	if len(refs) > maxImageRefs {
		return nil, engine.Errorf(engine.EINVALID, "at most %d image references can be looked up at once", maxImageRefs)
	}
	var rs []*engine.Release
	err := db.view(ctx, "find releases using image", func(tx *sql.Tx) error {
		var err error
		rs, err = releasesUsingImage(ctx, tx, refs)
		return err
	})
	return rs, err
}

func releasesUsingImage(ctx context.Context, tx *sql.Tx, refs []string) ([]*engine.Release, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(refs)), ", ")
	args := make([]any, len(refs))
	for i, r := range refs {
		args[i] = r
	}
	q := releaseSelect + ` WHERE r.image <> '' AND r.image IN (` + marks + `) ORDER BY a.name, r.number DESC`
	return queryReleases(ctx, tx, q, args...)
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
