package receive

import (
	"strings"
	"unicode"

	"github.com/quayside/quayside/engine"
)

// command is what an SSH session asked for: a shell (no command) or
// git-receive-pack on one app's repository.
type command struct {
	shell bool
	app   string
}

// maxRepoPathLen bounds the repository path echoed back in messages; app
// names are far shorter (engine.MaxAppNameLen).
const maxRepoPathLen = 100

// parseCommand interprets a session's raw command and its shell-split
// arguments. Everything but git-receive-pack with one valid repository path
// is refused with an *engine.Error whose message is meant for the pusher.
func parseCommand(raw string, args []string) (command, error) {
	if strings.TrimSpace(raw) == "" {
		return command{shell: true}, nil
	}
	if len(args) == 0 {
		return command{}, notOurCommand(raw)
	}
	name, rest := args[0], args[1:]
	if name == "git" && len(rest) > 0 {
		name, rest = "git-"+rest[0], rest[1:]
	}
	switch name {
	case "git-receive-pack":
	case "git-upload-pack", "git-upload-archive":
		return command{}, engine.Errorf(engine.ENOTIMPLEMENTED,
			"Quayside accepts git push only: clone and fetch are not available. Keep your code in your own repository and push it here to deploy.")
	default:
		return command{}, notOurCommand(raw)
	}
	if len(rest) > 1 {
		return command{}, engine.Errorf(engine.EINVALID, "git-receive-pack takes exactly one repository path, such as /myapp.git")
	}
	// The shell splitter drops an empty quoted argument: none is an empty path.
	app, err := parseRepoPath(strings.Join(rest, ""))
	return command{app: app}, err
}

func notOurCommand(raw string) error {
	if len(raw) > maxRepoPathLen {
		raw = raw[:maxRepoPathLen] + "..."
	}
	return engine.Errorf(engine.ENOTIMPLEMENTED, "Quayside accepts git push only: %q is not a command it runs.", raw)
}

// parseRepoPath turns a repository path ("/myapp.git", "myapp.git",
// "myapp") into the app name: one path segment, without traversal, hidden
// names or control characters. Whether the name is a valid app name is the
// Deployer's call.
func parseRepoPath(p string) (string, error) {
	name := strings.TrimSuffix(strings.TrimPrefix(p, "/"), ".git")
	if name == "" || len(p) > maxRepoPathLen || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, `/\`) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		if len(p) > maxRepoPathLen {
			p = p[:maxRepoPathLen] + "..."
		}
		return "", engine.FieldError("path", "repository path %q is not valid: push to the app's name, such as myapp.git (ssh://git@<host>/myapp.git)", p)
	}
	return name, nil
}
