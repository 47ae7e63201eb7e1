package main

import (
	"mime"
	"path"
	"strings"
)

// Cache-Control values.
const (
	// revalidate makes browsers ask every time; the ETag makes the answer a
	// cheap 304 when nothing changed. HTML always gets it: a new deploy must
	// show at once.
	revalidate = "no-cache"
	// immutable keeps fingerprinted assets a year: a new version has a new name.
	immutable = "public, max-age=31536000, immutable"
)

func init() {
	// The run image has no /etc/mime.types; Go knows the common web types
	// and these.
	for ext, typ := range map[string]string{
		".ico":         "image/x-icon",
		".map":         "application/json",
		".txt":         "text/plain; charset=utf-8",
		".webmanifest": "application/manifest+json",
		".woff":        "font/woff",
		".woff2":       "font/woff2",
		".ttf":         "font/ttf",
		".otf":         "font/otf",
		".mp4":         "video/mp4",
		".webm":        "video/webm",
		".mp3":         "audio/mpeg",
		".csv":         "text/csv; charset=utf-8",
	} {
		if mime.TypeByExtension(ext) == "" {
			_ = mime.AddExtensionType(ext, typ)
		}
	}
}

// cacheControl returns the Cache-Control header for a file.
func cacheControl(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == ".html" || ext == ".htm" || !isFingerprinted(path.Base(name)) {
		return revalidate
	}
	return immutable
}

// isFingerprinted reports whether a file name carries a content hash that
// bundlers add (main.3f9a2c1d.js, index-BpqgL2RE.js, chunk-5VSZ3XQO.js): a
// token of 8 or more characters between a "." or "-" and a later ".". The
// token must look like a hash, not a word or a version: lowercase hex with a
// digit, or letters and digits with an uppercase letter. A file wrongly taken
// for fingerprinted would be kept stale for a year, so doubtful names are not.
func isFingerprinted(base string) bool {
	for i := 1; i < len(base); i++ {
		if base[i] != '.' && base[i] != '-' {
			continue
		}
		for j := i + 9; j < len(base); j++ {
			if base[j] == '.' && looksLikeHash(base[i+1:j]) {
				return true
			}
		}
	}
	return false
}

// looksLikeHash classifies a token of a file name.
func looksLikeHash(tok string) bool {
	var digit, upper, hex = false, false, true
	for _, c := range tok {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f':
		case c >= 'g' && c <= 'z', c == '_', c == '-':
			hex = false
		case c >= 'A' && c <= 'Z':
			upper, hex = true, false
		default:
			return false
		}
	}
	return digit && (hex || upper)
}
