package dockerfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// message is one object of the JSON stream the daemon answers a build
// with (the subset of jsonmessage.JSONMessage this package reads).
type message struct {
	Stream      string          `json:"stream"`
	Status      string          `json:"status"`
	ID          string          `json:"id"`
	Progress    json.RawMessage `json:"progressDetail"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Error string          `json:"error"`
	Aux   json.RawMessage `json:"aux"`
}

// result is what a build stream said in the end.
type result struct {
	// ImageID is the built image's ID, from the aux message.
	ImageID string
	// Failure is the build error the stream reported, "" if none.
	Failure string
}

// relay decodes the stream as it arrives and relays its output to p. The
// returned error is about reading the stream; a failed build is a result.
func relay(r io.Reader, p *progress) (result, error) {
	var res result
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("decode build output: %w", err)
		}
		handle(m, p, &res)
	}
}

// handle applies one message to the progress and the result.
func handle(m message, p *progress, res *result) {
	switch {
	case m.ErrorDetail != nil && m.ErrorDetail.Message != "":
		res.Failure = m.ErrorDetail.Message
	case m.Error != "":
		res.Failure = m.Error
	case len(m.Aux) > 0:
		var aux struct{ ID string }
		if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
			res.ImageID = aux.ID
		}
	case m.Stream != "":
		p.text(m.Stream)
	case m.Status != "" && !hasProgress(m.Progress):
		p.status(m.ID, m.Status)
	}
}

// hasProgress reports whether a progressDetail carries a progress bar
// update, which a line-by-line relay would only repeat.
func hasProgress(raw json.RawMessage) bool {
	var d struct{ Current, Total int64 }
	return len(raw) > 0 && json.Unmarshal(raw, &d) == nil && (d.Current > 0 || d.Total > 0)
}
