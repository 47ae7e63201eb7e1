package cnb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/quayside/quayside/engine"
)

// treeLimits cap what one pushed tree may hold.
type treeLimits struct {
	maxBytes   int64 // total size of the regular files
	maxEntries int   // files, directories and links
}

// defaultTreeLimits are generous for source trees, vendored dependencies
// included, and stop a tar bomb.
var defaultTreeLimits = treeLimits{maxBytes: 1 << 30, maxEntries: 200_000}

// extractor writes the entries of one tar stream under root.
type extractor struct {
	root    *os.Root
	lim     treeLimits
	bytes   int64
	entries int
	links   map[string]bool // symbolic links made, by clean name
	skipped []string        // symbolic links left out, with why
}

// extractTree writes the tar stream r into dir, an empty directory, and
// returns the symbolic links it left out because they point outside the
// tree. Regular files, directories and symbolic links are all it accepts;
// it writes nothing outside dir and through no symbolic link: names that
// are absolute, hold "..", lie under a symbolic link or appear twice, and
// devices, pipes and hard links, are EINVALID; a tree above lim is
// ETOOLARGE. Errors reading r are returned wrapped.
func extractTree(r io.Reader, dir string, lim treeLimits) ([]string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open source dir: %w", err)
	}
	defer root.Close()
	x := &extractor{root: root, lim: lim, links: map[string]bool{}}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read source archive: %w", err)
		}
		if err := x.entry(tr, hdr); err != nil {
			return nil, err
		}
	}
	x.dropEscapingLinks()
	return x.skipped, nil
}

// entry writes one tar entry.
func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader { // git archive's commit id
		return nil
	}
	if x.entries++; x.entries > x.lim.maxEntries {
		return engine.Errorf(engine.ETOOLARGE,
			"the pushed tree has more than %d files and directories, more than Quayside builds; remove what the build does not need", x.lim.maxEntries)
	}
	name, err := entryName(hdr.Name)
	if err == nil {
		err = x.checkParents(name)
	}
	if err == nil {
		err = x.write(tr, hdr, name)
	}
	var r refusal
	if errors.As(err, &r) {
		return engine.Errorf(engine.EINVALID, "the pushed tree has an entry Quayside will not build from: %q: %s", hdr.Name, r)
	}
	return err
}

// refusal is why an entry is refused, for the user.
type refusal string

func (r refusal) Error() string { return string(r) }

// write writes one entry by its type.
func (x *extractor) write(tr *tar.Reader, hdr *tar.Header, name string) error {
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.dir(name)
	case tar.TypeReg:
		return x.file(tr, hdr, name)
	case tar.TypeSymlink:
		return x.symlink(name, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return refusal("it is a device file")
	case tar.TypeFifo:
		return refusal("it is a named pipe")
	case tar.TypeLink:
		return refusal("it is a hard link")
	default:
		return refusal(fmt.Sprintf("its type %q is not a file, directory or symbolic link", hdr.Typeflag))
	}
}

// entryName returns the clean relative name of a tar entry, refusing names
// that are absolute or leave the tree.
func entryName(raw string) (string, error) {
	name := strings.TrimRight(raw, "/")
	switch {
	case raw == "" || strings.ContainsRune(raw, 0):
		return "", refusal("the name is empty or holds a NUL")
	case strings.HasPrefix(raw, "/"):
		return "", refusal("the path is absolute")
	case slices.Contains(strings.Split(name, "/"), ".."):
		return "", refusal("the path holds ..")
	case name == "" || name == ".":
		return ".", nil
	case !filepath.IsLocal(name):
		return "", refusal("the path leaves the tree")
	}
	return filepath.Clean(name), nil
}

// checkParents refuses a name under a symbolic link the tree made.
func (x *extractor) checkParents(name string) error {
	for p := filepath.Dir(name); p != "."; p = filepath.Dir(p) {
		if x.links[p] {
			return refusal(fmt.Sprintf("it lies under the symbolic link %q", p))
		}
	}
	return nil
}

// dir makes a directory; one that exists already is fine.
func (x *extractor) dir(name string) error {
	if name == "." {
		return nil
	}
	if fi, err := x.root.Lstat(name); err == nil {
		if fi.IsDir() {
			return nil
		}
		return refusal("it appears twice")
	}
	return x.mkdirAll(name)
}

// file writes a regular file, executable when the entry is; it never
// replaces anything.
func (x *extractor) file(tr *tar.Reader, hdr *tar.Header, name string) error {
	if name == "." {
		return refusal("a file cannot be the tree's root")
	}
	if hdr.Size < 0 || hdr.Size > x.lim.maxBytes-x.bytes {
		return x.tooLarge()
	}
	if err := x.parent(name); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return refusal("it appears twice")
	}
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	n, err := io.Copy(f, tr)
	x.bytes += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write source file %s: %w", name, err)
	}
	return nil
}

// symlink makes a symbolic link when its target stays inside the tree and
// notes it as skipped otherwise.
func (x *extractor) symlink(name, target string) error {
	if name == "." {
		return refusal("a symbolic link cannot be the tree's root")
	}
	if target == "" || filepath.IsAbs(target) || !filepath.IsLocal(filepath.Join(filepath.Dir(name), target)) {
		x.skipped = append(x.skipped, fmt.Sprintf("%s -> %s", name, target))
		return nil
	}
	if err := x.parent(name); err != nil {
		return err
	}
	if err := x.root.Symlink(target, name); errors.Is(err, fs.ErrExist) {
		return refusal("it appears twice")
	} else if err != nil {
		return fmt.Errorf("make symbolic link: %w", err)
	}
	x.links[name] = true
	return nil
}

// parent makes the directory an entry goes in.
func (x *extractor) parent(name string) error {
	if dir := filepath.Dir(name); dir != "." {
		return x.mkdirAll(dir)
	}
	return nil
}

// mkdirAll makes a directory and its parents; a parent that is a file is
// the tree's fault.
func (x *extractor) mkdirAll(dir string) error {
	err := x.root.MkdirAll(dir, 0o755)
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
		return refusal("a directory on its path is a file")
	}
	if err != nil {
		return fmt.Errorf("make directory: %w", err)
	}
	return nil
}

// dropEscapingLinks removes, once the tree is complete, the symbolic links
// whose resolution leaves it through other links (a/up -> .., a/x ->
// up/../..) or loops. Dangling links inside the tree stay.
func (x *extractor) dropEscapingLinks() {
	names := make([]string, 0, len(x.links))
	for name := range x.links {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, err := x.root.Stat(name); err == nil || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		target, _ := x.root.Readlink(name)
		if x.root.Remove(name) == nil {
			delete(x.links, name)
			x.skipped = append(x.skipped, fmt.Sprintf("%s -> %s", name, target))
		}
	}
}

// tooLarge is the error of a tree above the size limit.
func (x *extractor) tooLarge() error {
	return engine.Errorf(engine.ETOOLARGE,
		"the pushed tree holds more than %d MiB of files, more than Quayside builds; remove what the build does not need",
		x.lim.maxBytes>>20)
}
