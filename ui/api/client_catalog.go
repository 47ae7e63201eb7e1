package api

import (
	"context"
	"io"
	"net/http"

	"github.com/quayside/quayside/engine"
)

// CatalogList is the answer of GET /catalog as JSON.
type CatalogList struct {
	Items []engine.CatalogItem `json:"items"`
}

// CatalogChange is the body of PATCH /apps/{app}/catalog: fields to set
// (lists comma-separated, "" clears) and fields whose manual value
// overrides catalog-info.yaml.
type CatalogChange struct {
	Set      map[string]string `json:"set,omitempty"`
	Override []string          `json:"override,omitempty"`
}

// Catalog lists every app the caller may see with its catalog entry.
func (c *Client) Catalog(ctx context.Context) ([]engine.CatalogItem, error) {
	var l CatalogList
	return l.Items, c.do(ctx, http.MethodGet, "/api/v1/catalog", nil, &l)
}

// CatalogYAML returns the catalog as Backstage entities in YAML.
func (c *Client) CatalogYAML(ctx context.Context) ([]byte, error) {
	resp, err := c.send(ctx, http.MethodGet, "/api/v1/catalog?format=backstage", nil, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, decodeError(resp)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

// SetCatalog changes app's manual catalog fields.
func (c *Client) SetCatalog(ctx context.Context, app string, ch CatalogChange) (*engine.CatalogEntry, error) {
	var e engine.CatalogEntry
	if err := c.do(ctx, http.MethodPatch, appPath(app, "/catalog"), ch, &e); err != nil {
		return nil, err
	}
	return &e, nil
}
