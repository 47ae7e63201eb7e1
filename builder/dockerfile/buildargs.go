package dockerfile

// buildArgs returns the build args of a build: the config variables env
// that the Dockerfile declares with ARG, and no others. The daemon would
// warn about an undeclared one and a RUN step would not see it anyway;
// leaving them out also keeps them out of the image's history.
func buildArgs(env map[string]string, declared map[string]bool) map[string]*string {
	args := map[string]*string{}
	for k, v := range env {
		if declared[k] {
			args[k] = &v
		}
	}
	return args
}
