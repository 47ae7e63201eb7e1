package dashboard

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWho(t *testing.T) {
	for author, want := range map[string][2]string{
		"ada@example.com": {"ada@example.com", ""},
		"root (server)":   {"root (server owner)", "on the server's command line as the Unix user root"},
		"server":          {"server owner", "on the server's command line"},
		"me":              {"server owner", "with the server owner's SSH key “me”"},
		"":                {"unknown", ""},
	} {
		got := who(author)
		assert.Equal(t, want, [2]string{got.Name, got.How}, author)
	}
}
