package engine

// ShortCommit is the first 7 characters of a commit ID, as messages, logs
// and pages show it; a shorter ID is returned whole.
func ShortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}
