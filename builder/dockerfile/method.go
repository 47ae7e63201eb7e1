package dockerfile

// Name is the build method's short name.
func (b *Builder) Name() string { return "dockerfile" }

// Requirement says what the method looks for, for users whose push has none.
func (b *Builder) Requirement() string {
	return "a Dockerfile at the root of the repository (built with docker build; the app listens on $PORT)"
}
