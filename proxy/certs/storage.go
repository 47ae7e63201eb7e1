package certs

import (
	"context"
	"sync/atomic"

	"github.com/caddyserver/certmagic"
)

// countingStorage is certmagic's file storage with a count of every
// operation, so tests can prove that a handshake touched no storage.
type countingStorage struct {
	fs  *certmagic.FileStorage
	ops atomic.Int64
}

var (
	_ certmagic.Storage   = (*countingStorage)(nil)
	_ certmagic.TryLocker = (*countingStorage)(nil)
)

func (s *countingStorage) Lock(ctx context.Context, name string) error {
	s.ops.Add(1)
	return s.fs.Lock(ctx, name)
}

func (s *countingStorage) TryLock(ctx context.Context, name string) (bool, error) {
	s.ops.Add(1)
	return s.fs.TryLock(ctx, name)
}

func (s *countingStorage) Unlock(ctx context.Context, name string) error {
	s.ops.Add(1)
	return s.fs.Unlock(ctx, name)
}

func (s *countingStorage) Store(ctx context.Context, key string, value []byte) error {
	s.ops.Add(1)
	return s.fs.Store(ctx, key, value)
}

func (s *countingStorage) Load(ctx context.Context, key string) ([]byte, error) {
	s.ops.Add(1)
	return s.fs.Load(ctx, key)
}

func (s *countingStorage) Delete(ctx context.Context, key string) error {
	s.ops.Add(1)
	return s.fs.Delete(ctx, key)
}

func (s *countingStorage) Exists(ctx context.Context, key string) bool {
	s.ops.Add(1)
	return s.fs.Exists(ctx, key)
}

func (s *countingStorage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	s.ops.Add(1)
	return s.fs.List(ctx, path, recursive)
}

func (s *countingStorage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	s.ops.Add(1)
	return s.fs.Stat(ctx, key)
}

// String identifies the storage the way certmagic's file storage does.
func (s *countingStorage) String() string { return s.fs.String() }
