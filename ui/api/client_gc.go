package api

import (
	"context"
	"net/http"

	"github.com/quayside/quayside/engine"
)

// gcPath is the API route that collects garbage now.
const gcPath = "/api/v1/gc"

// CollectGarbage asks the server to remove unused images, stopped
// containers and build caches over budget now, and returns what it freed.
func (c *Client) CollectGarbage(ctx context.Context) (*engine.GCReport, error) {
	var rep engine.GCReport
	if err := c.do(ctx, http.MethodPost, gcPath, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}
