package engine

import "strings"

// isPreviewApp reports whether app is a preview environment: previews are
// apps of their own named <app>--<branch>, and new apps may not contain
// PreviewSeparator. (An app named with "--" before previews existed is
// counted as a preview too.)
func isPreviewApp(app string) bool { return strings.Contains(app, PreviewSeparator) }

// isProduction reports whether r is a production release, the only kind
// the delivery figures count and the only kind that reads the catalog
// file: every release but those of preview apps.
func isProduction(r *Release) bool {
	return r != nil && !isPreviewApp(r.App)
}
