package engine

// isProduction reports whether r is a production release, the only kind
// the delivery figures count. Every release is one until preview
// environments mark theirs: their flag plugs in here.
func isProduction(r *Release) bool {
	return r != nil
}
