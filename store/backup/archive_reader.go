package backup

import (
	"archive/tar"
	"bufio"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

// maxJSONMember bounds the header and the manifest read into memory.
const maxJSONMember = 64 << 20

// archiveReader reads a backup archive written by archiveWriter.
type archiveReader struct {
	gz     *gzip.Reader
	tr     *tar.Reader
	budget *Budget // what the members may expand to
}

func newArchiveReader(r io.Reader, l Limits) (*archiveReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && (magic[0] != 0x1f || magic[1] != 0x8b) {
		return nil, corrupt("it is not a gzip file, so not a Quayside backup")
	}
	gz, err := gzip.NewReader(br)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, truncated("the file is empty or ends within its first bytes")
	case err != nil:
		return nil, corrupt("it is not a gzip file, so not a Quayside backup")
	}
	gz.Multistream(false)
	return &archiveReader{gz: gz, tr: tar.NewReader(gz), budget: NewBudget(l)}, nil
}

// readHeader reads and checks the first member.
func (a *archiveReader) readHeader(version string) (*Header, Member, error) {
	hdr, err := a.next()
	if err != nil {
		return nil, Member{}, err
	}
	if hdr.Name != headerMember {
		return nil, Member{}, corrupt("it does not start with " + headerMember + ": it was not made by `quayside backup`")
	}
	var h Header
	m, err := a.readJSON(hdr, &h)
	if err != nil {
		return nil, Member{}, err
	}
	return &h, m, h.CheckReadable(version)
}

// next returns the next member's header, mapping read errors to what
// they mean for the user.
func (a *archiveReader) next() (*tar.Header, error) {
	hdr, err := a.tr.Next()
	switch {
	case errors.Is(err, io.EOF):
		return nil, truncated("it ends before its manifest")
	case err != nil:
		return nil, readError(err)
	}
	if err := checkMemberPath(trimDirSlash(hdr)); err != nil {
		return nil, err
	}
	if err := a.budget.Admit(hdr.Name, hdr.Size); err != nil {
		return nil, err
	}
	return hdr, nil
}

// readError explains an error met while reading the archive.
func readError(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return truncated("it ends in the middle of a member")
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, tar.ErrHeader):
		return corrupt(err.Error())
	}
	var flateErr flate.CorruptInputError
	if errors.As(err, &flateErr) {
		return corrupt(err.Error())
	}
	return fmt.Errorf("read backup: %w", err)
}

func trimDirSlash(hdr *tar.Header) string {
	name := hdr.Name
	if hdr.Typeflag == tar.TypeDir && len(name) > 1 && name[len(name)-1] == '/' {
		name = name[:len(name)-1]
	}
	return name
}

// readJSON decodes a small member into v.
func (a *archiveReader) readJSON(hdr *tar.Header, v any) (Member, error) {
	if hdr.Size > maxJSONMember || hdr.Typeflag != tar.TypeReg {
		return Member{}, corrupt(hdr.Name + " is not a small file")
	}
	b, err := io.ReadAll(a.tr)
	if err != nil {
		return Member{}, readError(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return Member{}, corrupt(hdr.Name + " is not valid JSON")
	}
	sum := sha256.Sum256(b)
	return Member{Path: hdr.Name, Size: int64(len(b)), Mode: 0o600, SHA256: hex.EncodeToString(sum[:])}, nil
}

// extract writes the members after the header under dir until the
// manifest, which it returns with what was read. Only directories and
// regular files are made, each new (never through an existing path).
func (a *archiveReader) extract(dir string) (*Manifest, []Member, error) {
	var got []Member
	for {
		hdr, err := a.next()
		if err != nil {
			return nil, nil, err
		}
		name := trimDirSlash(hdr)
		if name == manifestMember {
			var m Manifest
			if _, err := a.readJSON(hdr, &m); err != nil {
				return nil, nil, err
			}
			return &m, got, a.finish()
		}
		if name == headerMember {
			return nil, nil, corrupt("it holds a second header")
		}
		m, err := a.extractMember(dir, name, hdr)
		if err != nil {
			return nil, nil, err
		}
		got = append(got, m)
	}
}

// extractMember writes one directory or regular file under dir.
func (a *archiveReader) extractMember(dir, name string, hdr *tar.Header) (Member, error) {
	dst := filepath.Join(dir, filepath.FromSlash(name))
	mode := os.FileMode(hdr.Mode).Perm() & 0o700
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(dst, 0o700); err != nil {
			return Member{}, fmt.Errorf("restore %s: %w", name, err)
		}
		return Member{Path: name, Dir: true, Mode: uint32(hdr.Mode)}, nil
	case tar.TypeReg:
		return a.extractFile(dst, name, mode|0o600, hdr)
	}
	return Member{}, corrupt(fmt.Sprintf("%s is neither a file nor a directory", name))
}

func (a *archiveReader) extractFile(dst, name string, mode os.FileMode, hdr *tar.Header) (Member, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Member{}, fmt.Errorf("restore %s: %w", name, err)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return Member{}, corrupt(fmt.Sprintf("%s appears twice or cannot be written: %v", name, err))
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), a.tr)
	if cerr := f.Close(); err == nil && cerr != nil {
		return Member{}, fmt.Errorf("restore %s: %w", name, cerr)
	}
	if err != nil {
		return Member{}, readError(err)
	}
	return Member{Path: name, Size: n, Mode: uint32(hdr.Mode), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// finish checks that nothing follows the manifest and that the gzip
// stream's checksum holds.
func (a *archiveReader) finish() error {
	if _, err := a.tr.Next(); !errors.Is(err, io.EOF) {
		if err != nil {
			return readError(err)
		}
		return corrupt("members follow its manifest")
	}
	n, err := io.Copy(io.Discard, io.LimitReader(a.gz, MaxTrailing+1))
	if err != nil {
		return readError(err)
	}
	if n > MaxTrailing {
		return corrupt("more than " + engine.FormatBytes(MaxTrailing) + " follow the end of its archive")
	}
	return nil
}

// readBackup reads the backup r into dir and verifies it against its
// manifest: the header's format first, then every member's checksum.
// Members are refused once they would expand past limits; a backup newer
// than what a Quayside of version reads is refused before any is written.
func readBackup(r io.Reader, dir string, limits Limits, version string) (*Manifest, error) {
	a, err := newArchiveReader(r, limits)
	if err != nil {
		return nil, err
	}
	h, hm, err := a.readHeader(version)
	if err != nil {
		return nil, err
	}
	m, got, err := a.extract(dir)
	if err != nil {
		return nil, err
	}
	if err := m.sameHeader(h); err != nil {
		return nil, err
	}
	if err := m.verify(append([]Member{hm}, got...)); err != nil {
		return nil, err
	}
	return m, nil
}
