package store

import (
	"encoding/json"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// processJSON is how an engine.Process is kept in the releases table.
type processJSON struct {
	Type       string   `json:"type"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
	Display    string   `json:"display,omitempty"`
}

func encodeProcesses(ps []engine.Process) (string, error) {
	out := make([]processJSON, len(ps))
	for i, p := range ps {
		out[i] = processJSON{Type: p.Type, Entrypoint: p.Entrypoint, Cmd: p.Cmd, Display: p.Display}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode processes: %w", err)
	}
	return string(b), nil
}

func decodeProcesses(s string) ([]engine.Process, error) {
	var in []processJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode processes: %w", err)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]engine.Process, len(in))
	for i, p := range in {
		out[i] = engine.Process{Type: p.Type, Entrypoint: p.Entrypoint, Cmd: p.Cmd, Display: p.Display}
	}
	return out, nil
}

func encodeScale(s engine.Scale) (string, error) {
	if s == nil {
		return "{}", nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode scale: %w", err)
	}
	return string(b), nil
}

func decodeScale(s string) (engine.Scale, error) {
	var out engine.Scale
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decode scale: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
