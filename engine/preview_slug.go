package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Slug bounds: a preview's name <app>--<slug> is one DNS label (at most 63
// characters) and its slug at most maxSlugLen.
const (
	maxLabelLen     = 63
	maxSlugLen      = 30
	slugHashLen     = 6
	MaxPreviewRef   = 255
	previewNameRoom = maxLabelLen - len(PreviewSeparator)
)

// ValidatePreviewBranch reports whether branch can have a preview: a git
// branch name of 1 to MaxPreviewRef bytes of valid UTF-8, without control
// characters or the sequences git itself forbids.
func ValidatePreviewBranch(branch string) error {
	switch {
	case branch == "" || len(branch) > MaxPreviewRef:
		return FieldError("branch", "a preview branch name must have 1 to %d bytes, this one has %d", MaxPreviewRef, len(branch))
	case !utf8.ValidString(branch):
		return FieldError("branch", "branch name is not valid UTF-8: rename the branch")
	case strings.Contains(branch, "..") || strings.Contains(branch, "//") || strings.Contains(branch, "@{"),
		strings.HasPrefix(branch, "-") || strings.HasPrefix(branch, "/") || strings.HasSuffix(branch, "/"),
		strings.HasSuffix(branch, ".") || strings.HasSuffix(branch, ".lock"):
		return FieldError("branch", "%q is not a valid git branch name: rename it (no '..', '//', leading '-' or '/', trailing '/', '.' or '.lock')", clipText(branch, 60))
	}
	for _, r := range branch {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return FieldError("branch", "branch name %q contains %q, which git does not allow in a branch name: rename the branch", clipText(branch, 60), r)
		}
	}
	return nil
}

// PreviewName is the app name of the preview of branch of app: app, the
// separator and a slug of lowercase letters, digits and inner hyphens.
// hashed forces the slug to end in a hash of the branch, which tells apart
// branches whose plain slugs collide; a slug that had to be shortened, or
// that has no letter or digit left, ends in one anyway. The result is the same for the
// same inputs, and fits one DNS label.
func PreviewName(app, branch string, hashed bool) string {
	room := min(maxSlugLen, previewNameRoom-len(app))
	plain := slugify(branch)
	if !hashed && plain != "" && len(plain) <= room {
		return app + PreviewSeparator + plain
	}
	sum := sha256.Sum256([]byte(branch))
	h := hex.EncodeToString(sum[:])[:slugHashLen]
	keep := max(0, room-slugHashLen-1)
	base := strings.TrimRight(plain[:min(len(plain), keep)], "-")
	if base == "" {
		return app + PreviewSeparator + "b" + h
	}
	return app + PreviewSeparator + base + "-" + h
}

// slugify lowercases s, turns each run of other characters than [a-z0-9]
// into one hyphen and trims hyphens at both ends.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
