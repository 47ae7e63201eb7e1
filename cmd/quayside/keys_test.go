package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func TestKeyOwnerIsListedPlainly(t *testing.T) {
	tests := []struct {
		key  api.Key
		want string
	}{
		{api.Key{Owner: engine.KeyOwnerUser, User: "bob@example.com"}, "bob@example.com"},
		{api.Key{Owner: engine.KeyOwnerServer}, "server owner"},
		{api.Key{Owner: engine.KeyOwnerLegacy}, "server owner *"}, // * points at the note under the list
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, keyOwner(tt.key), tt.key.Owner)
	}
}
