package store

import (
	"database/sql"
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestMapErrorClassifiesRealSQLiteErrors(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "web")
	exec := func(q string) error {
		_, err := db.sql.Exec(q)
		require.Error(t, err)
		return err
	}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"unique", exec(`INSERT INTO apps (name, deploy_branch, state, health_path, health_timeout_ms, drain_timeout_ms, created_at, created_by)
			SELECT name, deploy_branch, state, health_path, health_timeout_ms, drain_timeout_ms, created_at, created_by FROM apps`), engine.ECONFLICT},
		{"primary key", exec(`INSERT INTO settings (name, value) VALUES ('a', '1'), ('a', '2')`), engine.ECONFLICT},
		{"foreign key", exec(`INSERT INTO releases (app_id, number, kind, status, description, image, port, build_method, commit_sha, author, config_version, rollback_of, error, created_at)
			VALUES (999, 1, 'deploy', 'building', '', '', 0, '', '', '', 0, 0, '', 'x')`), engine.ENOTFOUND},
		{"check", exec(`UPDATE apps SET state = 'bogus'`), engine.EINVALID},
		{"not null", exec(`INSERT INTO settings (name, value) VALUES ('b', NULL)`), engine.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mapError(tt.err, "do thing")
			requireCode(t, err, tt.code, "cannot do thing")
		})
	}
}

func TestMapErrorBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := openAt(t, path)
	tx, err := db.sql.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10)&_txlock=immediate")
	require.NoError(t, err)
	defer func() { _ = other.Close() }()
	_, err = other.Begin()
	requireCode(t, mapError(err, "write"), engine.EUNAVAILABLE, "busy", "try again")
}

func TestMapErrorPassesThroughAndWraps(t *testing.T) {
	assert.NoError(t, mapError(nil, "x"))
	e := engine.Errorf(engine.ENOTFOUND, "app %q not found", "x")
	assert.Same(t, e, mapError(e, "find app"))
	plain := errors.New("disk on fire")
	err := mapError(plain, "find app")
	assert.ErrorIs(t, err, plain)
	assert.Equal(t, "find app: disk on fire", err.Error())
	assert.Equal(t, engine.EINTERNAL, engine.ErrorCode(err))
}

// TestImportsNoSibling keeps the package layout true: store speaks engine
// types and imports no other Quayside package.
func TestImportsNoSibling(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/quayside/quayside/") {
				assert.Equal(t, "github.com/quayside/quayside/engine", p, "%s imports %s", f, p)
			}
		}
	}
}
