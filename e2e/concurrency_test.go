package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConcurrentPushes(t *testing.T) {
	s := startServer(t)

	t.Run("different apps deploy in parallel", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		outs := make([]string, 2)
		for i := range 2 {
			repo := sampleRepo(t, fmt.Sprintf("app%d", i))
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = s.push(repo, fmt.Sprintf("app%d", i))
			}()
		}
		wg.Wait()
		for i := range 2 {
			require.NoError(t, errs[i], outs[i])
			assert.Equal(t, fmt.Sprintf("app%d", i), s.body(fmt.Sprintf("app%d", i), "/"))
		}
	})

	t.Run("two pushes to one app both deploy, one after the other", func(t *testing.T) {
		repos := []string{sampleRepo(t, "first"), sampleRepo(t, "second")}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		outs := make([]string, 2)
		for i, repo := range repos {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = s.push(repo, "shared", "--force")
			}()
		}
		wg.Wait()
		for i := range 2 {
			require.NoError(t, errs[i], outs[i])
		}
		rels := s.mustCLI("releases", "shared")
		assert.Contains(t, rels, "v1 ")
		assert.Contains(t, rels, "v2 *")
		body := s.body("shared", "/")
		assert.Contains(t, []string{"first", "second"}, body)
		assert.Equal(t, s.deployedCommit("shared"), gitIn(t, repos[map[string]int{"first": 0, "second": 1}[body]], "rev-parse", "HEAD"),
			"what serves is what the branch points to")
		assert.Len(t, s.containers("shared"), 1)
	})
}
