package docker

import (
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
)

func TestChildrenFirst(t *testing.T) {
	ids := func(imgs []image.Summary) []string {
		out := []string{}
		for _, i := range imgs {
			out = append(out, i.ID)
		}
		return out
	}
	tests := []struct {
		name string
		in   []image.Summary
		want []string
	}{
		{"empty", nil, []string{}},
		{"chain parent first", []image.Summary{{ID: "a"}, {ID: "b", ParentID: "a"}, {ID: "c", ParentID: "b"}}, []string{"c", "b", "a"}},
		{"parent outside the set", []image.Summary{{ID: "x", ParentID: "base"}, {ID: "y"}}, []string{"x", "y"}},
		{"siblings", []image.Summary{{ID: "p"}, {ID: "s1", ParentID: "p"}, {ID: "s2", ParentID: "p"}}, []string{"s1", "s2", "p"}},
		{"cycle does not hang", []image.Summary{{ID: "a", ParentID: "b"}, {ID: "b", ParentID: "a"}}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ids(childrenFirst(tt.in)))
		})
	}
}
