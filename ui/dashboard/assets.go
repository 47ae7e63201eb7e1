package dashboard

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file with the version that busts caches.
type asset struct {
	body    []byte
	ctype   string
	version string
}

// assetSet is every asset by name.
type assetSet struct{ byName map[string]asset }

var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

// loadAssets reads the embedded assets and hashes each for its URL.
func loadAssets() *assetSet {
	entries, err := staticFS.ReadDir("static")
	if err != nil {
		panic(err)
	}
	s := &assetSet{byName: map[string]asset{}}
	for _, e := range entries {
		body, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		s.byName[e.Name()] = asset{body: body, ctype: assetTypes[path.Ext(e.Name())], version: hex.EncodeToString(sum[:6])}
	}
	return s
}

// url is where the named asset is served, with its version.
func (s *assetSet) url(name string) string {
	return "/assets/" + name + "?v=" + s.byName[name].version
}

// serveAsset answers with an embedded asset. Versioned URLs may be cached
// for a year: a new build changes the version.
func (d *Dashboard) serveAsset(c echo.Context) error {
	a, ok := d.assets.byName[c.Param("name")]
	if !ok || a.ctype == "" {
		return c.String(http.StatusNotFound, "no such asset")
	}
	h := c.Response().Header()
	if c.QueryParam("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+a.version+`"`)
	if c.Request().Header.Get("If-None-Match") == `"`+a.version+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, a.ctype, a.body)
}
