package store

import (
	"context"
	"database/sql"
	"fmt"
)

// update runs fn in a write transaction, which holds the database's write
// lock from its first statement (BEGIN IMMEDIATE), and commits if fn
// succeeds. op names the operation in errors ("create app").
func (db *DB) update(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	return db.inTx(ctx, op, nil, fn)
}

// view runs fn in a read transaction: a consistent snapshot that takes no
// write lock.
func (db *DB) view(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	return db.inTx(ctx, op, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) inTx(ctx context.Context, op string, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return mapError(err, op)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return mapError(err, op)
	}
	return mapError(tx.Commit(), op)
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// mustHaveChanged returns notFound when res changed no row.
func mustHaveChanged(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("count changed rows: %w", err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// queryAll runs q and scans each row with scan; op names the query in
// errors. It returns an empty, non-nil slice when there are no rows.
func queryAll[T any](ctx context.Context, tx *sql.Tx, op string, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer func() { _ = rows.Close() }()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
