package dashboard

import "strings"

// whoShown is how a release's or an event's author reads: the person, and
// how they acted in a tooltip.
type whoShown struct {
	Name, How string
}

// who tells who an author string names. Authors are an account's e-mail
// (through a session, a token or their own SSH key), "<unix user>
// (server)" on the control socket, or the name of one of the server
// owner's SSH keys.
func who(author string) whoShown {
	switch {
	case author == "":
		return whoShown{Name: "unknown"}
	case strings.Contains(author, "@"):
		return whoShown{Name: author}
	case author == "server":
		return whoShown{Name: "server owner", How: "on the server's command line"}
	case strings.HasSuffix(author, " (server)"):
		u := strings.TrimSuffix(author, " (server)")
		return whoShown{Name: u + " (server owner)", How: "on the server's command line as the Unix user " + u}
	}
	return whoShown{Name: "server owner", How: "with the server owner's SSH key “" + author + "”"}
}
