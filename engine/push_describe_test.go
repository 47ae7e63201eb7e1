package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDeployDescription(t *testing.T) {
	commit := "3f2a9c1" + strings.Repeat("0", 33)
	for subject, want := range map[string]string{
		"":                         "Deploy 3f2a9c1",
		"  ":                       "Deploy 3f2a9c1",
		"Fix the sign-in page":     "Deploy 3f2a9c1: Fix the sign-in page",
		"\x1b[31mred\x1b[0m title": "Deploy 3f2a9c1: red title",
		strings.Repeat("é", 300):   "Deploy 3f2a9c1: " + strings.Repeat("é", 100) + "…",
	} {
		assert.Equal(t, want, deployDescription(PushRequest{NewCommit: commit, Subject: subject}), "%q", subject)
	}
}
