package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/ui/api"
)

func TestGroupPreviewsListsThemUnderTheirApp(t *testing.T) {
	app := func(name, of string) api.App { return api.App{Name: name, PreviewOf: of} }
	tests := []struct {
		name string
		in   []api.App
		want []string
	}{
		{"no previews", []api.App{app("a", ""), app("b", "")}, []string{"a", "b"}},
		{"under their app, even when names sort apart",
			[]api.App{app("shop", ""), app("shop--x", "shop"), app("shop-api", ""), app("shop-api--y", "shop-api"), app("shop-api--z", "shop-api")},
			[]string{"shop", "shop--x", "shop-api", "shop-api--y", "shop-api--z"}},
		{"a preview before its app in name order", []api.App{app("a--x", "b"), app("b", "")}, []string{"b", "a--x"}},
		{"previews of an app not listed come last", []api.App{app("hidden--x", "hidden"), app("shop", "")}, []string{"shop", "hidden--x"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range groupPreviews(tt.in) {
				got = append(got, a.Name)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
