// Package catalogfile reads an app's catalog-info.yaml: the Backstage
// Component descriptor, the subset Quayside keeps (metadata.description,
// tags and links; spec.owner, lifecycle, system and dependsOn). cmd wires
// Parse into the engine as its engine.CatalogParser.
package catalogfile

import (
	"bytes"
	"errors"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/quayside/quayside/engine"
)

// maxDocuments bounds the YAML documents read from one file.
const maxDocuments = 20

// entity is the part of a Backstage entity Parse reads.
type entity struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Description string               `yaml:"description"`
		Tags        []string             `yaml:"tags"`
		Links       []engine.CatalogLink `yaml:"links"`
	} `yaml:"metadata"`
	Spec struct {
		Owner     string   `yaml:"owner"`
		Lifecycle string   `yaml:"lifecycle"`
		System    string   `yaml:"system"`
		DependsOn []string `yaml:"dependsOn"`
	} `yaml:"spec"`
}

// Parse reads the first Component of a catalog-info.yaml (a file may hold
// several entities, separated by ---). Its errors say what is wrong and
// where (the YAML line); it does not check the fields' formats
// (engine.CatalogFields.Validate does).
func Parse(data []byte) (engine.CatalogFields, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < maxDocuments; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return engine.CatalogFields{}, engine.Errorf(engine.EINVALID, "%s is not valid YAML: %s", engine.CatalogFile, yamlMessage(err))
		}
		var e entity
		if err := node.Decode(&e); err != nil {
			return engine.CatalogFields{}, engine.Errorf(engine.EINVALID, "%s: %s", engine.CatalogFile, yamlMessage(err))
		}
		if e.Kind == "Component" {
			return fields(e), nil
		}
	}
	return engine.CatalogFields{}, engine.Errorf(engine.EINVALID, "%s holds no entity of kind Component (kind: Component, with metadata and spec)", engine.CatalogFile)
}

func fields(e entity) engine.CatalogFields {
	return engine.CatalogFields{
		Description: e.Metadata.Description, Tags: e.Metadata.Tags, Links: e.Metadata.Links,
		Owner: e.Spec.Owner, Lifecycle: e.Spec.Lifecycle, System: e.Spec.System, DependsOn: e.Spec.DependsOn,
	}
}

// yamlMessage is a YAML error without the library's prefix.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return te.Errors[0]
	}
	return err.Error()
}
