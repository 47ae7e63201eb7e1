package procfd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOpenUnderCountsOnlyFilesUnderDir(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	count := func() int {
		n, err := OpenUnder(dir)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	f, err := os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Create(filepath.Join(other, "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := count(); got != before+1 {
		t.Fatalf("with one file open under dir: %d, want %d", got, before+1)
	}
	f.Close()
	if got := count(); got != before {
		t.Fatalf("after closing it: %d, want %d", got, before)
	}
}
