package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// listCatalog answers every app the caller may see with its catalog entry;
// as Backstage entities in YAML with ?format=backstage or Accept:
// application/yaml.
func (s *Server) listCatalog(c echo.Context) error {
	items, err := s.cfg.Engine.CatalogView(c.Request().Context())
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "backstage" || strings.Contains(c.Request().Header.Get("Accept"), "yaml") {
		out, err := BackstageYAML(items)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", out)
	}
	return c.JSON(http.StatusOK, api.CatalogList{Items: items})
}

func (s *Server) getCatalog(c echo.Context) error {
	entry, err := s.cfg.Engine.Catalog(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entry)
}

func (s *Server) setCatalog(c echo.Context) error {
	var in api.CatalogChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	entry, err := s.cfg.Engine.SetCatalog(c.Request().Context(), engine.CatalogChange{App: c.Param("app"), Set: in.Set, Override: in.Override})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, entry)
}

// backstageEntity is a Backstage Component, as Backstage imports it.
type backstageEntity struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   backstageMetadata `yaml:"metadata"`
	Spec       backstageSpec     `yaml:"spec"`
}

type backstageMetadata struct {
	Name        string               `yaml:"name"`
	Description string               `yaml:"description,omitempty"`
	Tags        []string             `yaml:"tags,omitempty"`
	Links       []engine.CatalogLink `yaml:"links,omitempty"`
	Annotations map[string]string    `yaml:"annotations,omitempty"`
}

type backstageSpec struct {
	Type      string   `yaml:"type"`
	Owner     string   `yaml:"owner"`
	Lifecycle string   `yaml:"lifecycle"`
	System    string   `yaml:"system,omitempty"`
	DependsOn []string `yaml:"dependsOn,omitempty"`
}

// BackstageYAML writes items as Backstage Component entities, one YAML
// document each. Owner and lifecycle, which Backstage requires, are
// "unknown" where the catalog does not say; a dependsOn that names an app
// becomes component:<app>.
func BackstageYAML(items []engine.CatalogItem) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, it := range items {
		if err := enc.Encode(backstageOf(it)); err != nil {
			return nil, engine.Errorf(engine.EINTERNAL, "write the catalog as YAML: %v", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, engine.Errorf(engine.EINTERNAL, "write the catalog as YAML: %v", err)
	}
	return []byte(b.String()), nil
}

func backstageOf(it engine.CatalogItem) backstageEntity {
	e := backstageEntity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: backstageMetadata{Name: it.App, Description: it.Description, Tags: it.Tags, Links: it.Links,
			Annotations: map[string]string{"quayside.dev/url": it.URL}},
		Spec: backstageSpec{Type: "service", Owner: orUnknown(it.Owner), Lifecycle: orUnknown(it.Lifecycle), System: it.System}}
	if it.CurrentRelease > 0 {
		e.Metadata.Annotations["quayside.dev/release"] = strconv.Itoa(it.CurrentRelease)
		e.Metadata.Annotations["quayside.dev/commit"] = it.Commit
	}
	for _, d := range it.DependsOn {
		if !strings.Contains(d, ":") {
			d = "component:" + d
		}
		e.Spec.DependsOn = append(e.Spec.DependsOn, d)
	}
	return e
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
