package ui

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// apiError converts err into the API's error shape.
func apiError(err error) *api.Error {
	return &api.Error{Code: engine.ErrorCode(err), Message: engine.ErrorMessage(err), Fields: engine.ErrorFields(err)}
}

// errorHandler writes every error a handler returns in the one error shape.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		err = fromEcho(err)
		if engine.ErrorCode(err) == engine.EINTERNAL {
			log.Error("api request failed", "method", c.Request().Method, "path", c.Path(), "err", err, "detail", engine.ErrorDetail(err))
		}
		if wait := engine.ErrorRetryAfter(err); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		}
		_ = c.JSON(engine.HTTPStatus(err), apiError(err))
	}
}

// fromEcho turns echo's own errors (unknown route, bad method, body too
// large) into engine errors.
func fromEcho(err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	switch he.Code {
	case http.StatusNotFound:
		return engine.Errorf(engine.ENOTFOUND, "no such API endpoint")
	case http.StatusMethodNotAllowed:
		return engine.Errorf(engine.EINVALID, "this endpoint does not accept that method")
	case http.StatusRequestEntityTooLarge:
		return engine.Errorf(engine.ETOOLARGE, "request body too large")
	case http.StatusUnsupportedMediaType, http.StatusBadRequest:
		return engine.Errorf(engine.EINVALID, "the request body is not valid JSON for this endpoint")
	}
	return engine.Errorf(engine.EINTERNAL, "%s", http.StatusText(he.Code))
}

// bindJSON decodes the request body into v, refusing malformed JSON and unknown fields.
func bindJSON(c echo.Context, v any) error {
	dec := jsonDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		return engine.Errorf(engine.EINVALID, "the request body is not valid JSON for this endpoint: %v", err)
	}
	return nil
}
