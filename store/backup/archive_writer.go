package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// archiveWriter writes a backup archive: tar in gzip, every member hashed
// for the manifest.
type archiveWriter struct {
	gz      *gzip.Writer
	tw      *tar.Writer
	members []Member
}

func newArchiveWriter(w io.Writer) *archiveWriter {
	gz := gzip.NewWriter(w)
	return &archiveWriter{gz: gz, tw: tar.NewWriter(gz)}
}

// writeHeader writes the header as the first member.
func (a *archiveWriter) writeHeader(h *Header) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("encode backup header: %w", err)
	}
	return a.addBytes(headerMember, b)
}

// addBytes adds a member with content b.
func (a *archiveWriter) addBytes(name string, b []byte) error {
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now(), Typeflag: tar.TypeReg}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	if _, err := a.tw.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	a.members = append(a.members, Member{Path: name, Size: int64(len(b)), Mode: 0o600, SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// errVanished says a file disappeared between listing and reading it.
var errVanished = errors.New("file vanished")

// addFile adds the regular file src as name. It copies as many bytes as
// the file had when opened, so a file that grows meanwhile still makes a
// consistent member.
func (a *archiveWriter) addFile(name, src string) error {
	f, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return errVanished
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	mode := uint32(fi.Mode().Perm())
	hdr := &tar.Header{Name: name, Mode: int64(mode), Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(a.tw, h), f, fi.Size()); err != nil {
		return fmt.Errorf("copy %s (did it shrink while being backed up?): %w", src, err)
	}
	a.members = append(a.members, Member{Path: name, Size: fi.Size(), Mode: mode, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// addDir adds a directory entry, so empty directories (a git repository
// needs refs/ and objects/) come back too.
func (a *archiveWriter) addDir(name string, mode fs.FileMode) error {
	hdr := &tar.Header{Name: name + "/", Mode: int64(mode.Perm()), ModTime: time.Now(), Typeflag: tar.TypeDir}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	a.members = append(a.members, Member{Path: name, Dir: true, Mode: uint32(mode.Perm())})
	return nil
}

// addTree adds root (a file or a directory tree) as name. skip, when not
// nil, leaves out entries by their path relative to root. Symbolic links
// and other special files are left out; files that vanish meanwhile too.
func (a *archiveWriter) addTree(name, root string, skip func(rel string, d fs.DirEntry) bool) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if rel != "." && skip != nil && skip(filepath.ToSlash(rel), d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		member := name
		if rel != "." {
			member = name + "/" + filepath.ToSlash(rel)
		}
		return a.addEntry(member, p, d)
	})
}

// addEntry adds one walked entry.
func (a *archiveWriter) addEntry(member, p string, d fs.DirEntry) error {
	switch {
	case d.IsDir():
		fi, err := d.Info()
		if err != nil {
			return nil // gone meanwhile
		}
		return a.addDir(member, fi.Mode())
	case d.Type().IsRegular():
		if err := a.addFile(member, p); !errors.Is(err, errVanished) {
			return err
		}
	}
	return nil
}

// addRepository adds a bare git repository so that its refs never point
// at objects missing from the copy: everything but the objects first,
// then the objects (which git only ever adds while serving a push).
// Pushes in progress (quarantine directories) and lock files are left out.
func (a *archiveWriter) addRepository(name, dir string) error {
	notObjects := func(rel string, d fs.DirEntry) bool {
		return rel == "objects" || strings.HasSuffix(rel, ".lock")
	}
	if err := a.addTree(name, dir, notObjects); err != nil {
		return err
	}
	inFlight := func(rel string, d fs.DirEntry) bool {
		base := filepath.Base(rel)
		return strings.HasPrefix(base, "incoming-") || strings.HasPrefix(base, "tmp_objdir") || strings.HasSuffix(base, ".lock")
	}
	return a.addTree(name+"/objects", filepath.Join(dir, "objects"), inFlight)
}

// close writes the manifest (header and members) and ends the archive.
func (a *archiveWriter) close(h *Header) error {
	m := Manifest{Header: *h, Members: a.members}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	hdr := &tar.Header{Name: manifestMember, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now(), Typeflag: tar.TypeReg}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if _, err := a.tw.Write(b); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := a.tw.Close(); err != nil {
		return fmt.Errorf("finish archive: %w", err)
	}
	if err := a.gz.Close(); err != nil {
		return fmt.Errorf("finish archive: %w", err)
	}
	return nil
}
