// Package appflag gives the CLI's --app/-a flag and its inference from the
// git remote named "quayside": it rewrites the command line before the
// parser (kong) reads it, so each command takes its app as its first
// argument. It sits beside the API client in ui/api, on the client side.
package appflag

import (
	"os/exec"
	"path"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/quayside/quayside/engine"
)

// GitRemote is the remote whose URL names the app, as with Heroku's
// CLI: `git remote add quayside ssh://git@host:2222/myapp.git`.
const GitRemote = "quayside"

// Rewrite rewrites args so that commands whose first argument is an app
// name get it from --app/-a, or, when the command is short of arguments,
// from the current repository's git remote "quayside". Without either,
// args are returned as they are (minus --app), and kong explains what is
// missing.
func Rewrite(model *kong.Node, args []string, infer func() (string, bool)) []string {
	app, args := takeAppFlag(args)
	node, insertAt, given := walkCommand(model, args)
	if len(node.Positional) == 0 || node.Positional[0].Name != "app" {
		if app != "" && hasFlag(node, "for-app") { // audit, alerts: --app narrows them to one app
			return append(args, "--for-app="+app)
		}
		return args
	}
	if app == "" {
		if given >= requiredPositionals(node) {
			return args
		}
		var ok bool
		if app, ok = infer(); !ok {
			return args
		}
	}
	out := append([]string{}, args[:insertAt]...)
	out = append(out, app)
	return append(out, args[insertAt:]...)
}

// takeAppFlag removes -a NAME, --app NAME and --app=NAME from args.
func takeAppFlag(args []string) (string, []string) {
	var app string
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return app, append(out, args[i:]...)
		case (a == "-a" || a == "--app") && i+1 < len(args):
			app = args[i+1]
			i++
		case strings.HasPrefix(a, "--app="):
			app = strings.TrimPrefix(a, "--app=")
		default:
			out = append(out, a)
		}
	}
	return app, out
}

// walkCommand follows the command words in args. It returns the command
// reached, the index right after its last command word (where its first
// argument goes), and how many arguments follow.
func walkCommand(n *kong.Node, args []string) (*kong.Node, int, int) {
	insertAt, given := 0, 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return n, insertAt, given + len(args) - i - 1
		case strings.HasPrefix(a, "-"):
			if takesValue(n, a) {
				i++
			}
		case given == 0 && child(n, a) != nil:
			n, insertAt = child(n, a), i+1
		default:
			given++
		}
	}
	if n.DefaultCmd != nil && given == 0 {
		n = n.DefaultCmd
	}
	return n, insertAt, given
}

func child(n *kong.Node, name string) *kong.Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
		for _, al := range c.Aliases {
			if al == name {
				return c
			}
		}
	}
	return nil
}

// takesValue reports whether flag a (without "=value") of n or its
// parents consumes the next argument.
func takesValue(n *kong.Node, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	name := strings.TrimLeft(a, "-")
	nodes := []*kong.Node{}
	if n.DefaultCmd != nil {
		nodes = append(nodes, n.DefaultCmd) // `releases -n 5` is `releases list -n 5`
	}
	for p := n; p != nil; p = p.Parent {
		nodes = append(nodes, p)
	}
	for _, p := range nodes {
		for _, f := range p.Flags {
			if f.Name == name || (len(name) == 1 && f.Short == rune(name[0])) {
				return !f.IsBool() && !f.IsCounter()
			}
		}
	}
	return false
}

func hasFlag(n *kong.Node, name string) bool {
	for _, f := range n.Flags {
		if f.Name == name {
			return true
		}
	}
	return false
}

func requiredPositionals(n *kong.Node) int {
	req := 0
	for _, p := range n.Positional {
		if p.Required {
			req++
		}
	}
	return req
}

// FromGitRemote reads the app name from the URL of the git remote
// "quayside" of the repository the command runs in.
func FromGitRemote() (string, bool) {
	out, err := exec.Command("git", "remote", "get-url", GitRemote).Output()
	if err != nil {
		return "", false
	}
	return FromRemoteURL(strings.TrimSpace(string(out)))
}

// FromRemoteURL takes the app name from a push URL such as
// ssh://git@host:2222/myapp.git or https://quayside.example.com/myapp.git.
func FromRemoteURL(u string) (string, bool) {
	name := strings.TrimSuffix(path.Base(strings.TrimRight(u, "/")), ".git")
	if i := strings.LastIndexByte(name, ':'); i >= 0 { // scp-like git@host:app
		name = name[i+1:]
	}
	if engine.ValidateAppName(name, "localhost") != nil {
		return "", false
	}
	return name, true
}
