package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/quayside/quayside/engine"
)

// Insights returns the delivery figures over since ("30d", "7d", "90d";
// "" is the server's default) for app, or for every app the caller may see
// when app is "".
func (c *Client) Insights(ctx context.Context, app, since string) (*engine.TeamInsights, error) {
	path := "/api/v1/insights"
	if app != "" {
		path = appPath(app, "/insights")
	}
	if since != "" {
		path += "?since=" + url.QueryEscape(since)
	}
	var rep engine.TeamInsights
	if err := c.do(ctx, http.MethodGet, path, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}
