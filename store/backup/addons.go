package backup

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// addonsDir is the data dir's entry holding add-on backups, as
// addons/<app>/<addon>/<time>-<label>.dump.
const addonsDir = "addons"

// newestDumps returns a skip function for addTree over the add-on backup
// directory root that keeps only the newest dump of each add-on (names
// start with a sortable time) and leaves out partial files.
func newestDumps(root string) func(rel string, d fs.DirEntry) bool {
	newest := map[string]string{} // "<app>/<addon>" -> file name
	apps, _ := os.ReadDir(root)
	for _, app := range apps {
		addons, _ := os.ReadDir(filepath.Join(root, app.Name()))
		for _, ad := range addons {
			files, _ := os.ReadDir(filepath.Join(root, app.Name(), ad.Name()))
			for _, f := range files {
				key := app.Name() + "/" + ad.Name()
				if isDump(f) && f.Name() > newest[key] {
					newest[key] = f.Name()
				}
			}
		}
	}
	return func(rel string, d fs.DirEntry) bool {
		if d.IsDir() {
			return strings.Count(rel, "/") > 1
		}
		dir, file := path.Split(rel)
		return newest[strings.TrimSuffix(dir, "/")] != file
	}
}

// isDump reports whether f is a finished add-on backup file.
func isDump(f fs.DirEntry) bool {
	return f.Type().IsRegular() && strings.HasSuffix(f.Name(), ".dump") && !strings.HasPrefix(f.Name(), ".")
}
