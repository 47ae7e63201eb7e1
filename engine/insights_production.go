package engine

import "strings"

// previewMark is in the name of every preview app and of no other: preview
// environments are apps of their own named <app>--<branch>
// (PreviewSeparator where previews are built).
const previewMark = "--"

// isPreviewApp reports whether app is a preview environment.
func isPreviewApp(app string) bool { return strings.Contains(app, previewMark) }

// isProduction reports whether r is a production release, the only kind
// the delivery figures count and the only kind that reads the catalog
// file: every release but those of preview apps.
func isProduction(r *Release) bool {
	return r != nil && !isPreviewApp(r.App)
}
