package backup

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestBudget(t *testing.T) {
	l := Limits{MaxTotal: 100, MaxMember: 60, MaxMembers: 3}
	t.Run("within the limits", func(t *testing.T) {
		b := NewBudget(l)
		require.NoError(t, b.Admit("a", 40))
		require.NoError(t, b.Admit("b", 60))
		require.NoError(t, b.Admit("c", 0))
	})
	cases := map[string]struct {
		sizes []int64
		want  string
	}{
		"one member too big": {[]int64{61}, "expands to 61 B, past the limit of 60 B"},
		"the total too big":  {[]int64{60, 41}, "expands to more than 100 B"},
		"too many members":   {[]int64{1, 1, 1, 1}, "more than 3 members"},
		"a negative size":    {[]int64{-1}, "past the limit"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := NewBudget(l)
			var err error
			for i, s := range tc.sizes {
				if err = b.Admit("m", s); err != nil {
					assert.Equal(t, len(tc.sizes)-1, i, "refused at the member that passes the limit")
					break
				}
			}
			require.Error(t, err)
			assert.Equal(t, engine.ETOOLARGE, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
		})
	}
	assert.Error(t, (&Budget{}).Admit("x", 0), "the zero budget has no room")
}
