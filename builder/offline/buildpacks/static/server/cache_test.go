package main

import (
	"mime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCacheControl(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"index.html", revalidate},
		{"docs/page.htm", revalidate},
		{"main.3f9a2c1d.html", revalidate}, // HTML is never kept
		{"style.css", revalidate},
		{"static/js/main.3f9a2c1d.js", immutable}, // Create React App
		{"static/js/main.3f9a2c1d.chunk.js", immutable},
		{"assets/index-BpqgL2RE.js", immutable},        // Vite
		{"assets/index-B_qg-2RE.css", immutable},       // Vite, with - and _ in the hash
		{"chunk-5VSZ3XQO.js", immutable},               // esbuild
		{"app.0123456789abcdef0123.js.map", immutable}, // webpack contenthash
		{"logo.deadbeef.svg", revalidate},              // hex without a digit: could be a word
		{"jquery-3.7.1.min.js", revalidate},            // a version, not a hash
		{"bootstrap.bundle.min.js", revalidate},
		{"vendor-bundle2023.js", revalidate}, // word and digits, lowercase
		{"react-DayPicker.js", revalidate},   // CamelCase word
		{"a1b2c3d.js", revalidate},           // 7 characters
		{"a1b2c3d4.js", revalidate},          // no name before the token
		{"x.a1b2c3d4", revalidate},           // no extension after the token
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cacheControl(tt.name))
		})
	}
}

func TestExtraMIMETypes(t *testing.T) {
	assert.Contains(t, mime.TypeByExtension(".woff2"), "woff2")
	assert.Contains(t, mime.TypeByExtension(".ico"), "icon") // the system table may name it differently
	assert.Contains(t, mime.TypeByExtension(".js"), "javascript")
}
