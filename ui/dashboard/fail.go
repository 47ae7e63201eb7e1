package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// titleByStatus names the error pages.
var titleByStatus = map[int]string{
	http.StatusBadRequest:            "Not possible",
	http.StatusForbidden:             "Not allowed",
	http.StatusNotFound:              "Not found",
	http.StatusConflict:              "Not possible now",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusUnprocessableEntity:   "Deploy failed",
	http.StatusNotImplemented:        "Not available",
	http.StatusServiceUnavailable:    "Try again later",
	http.StatusTooManyRequests:       "Too many requests",
}

// errorData is the error page's Data.
type errorData struct {
	Status  int
	Message string
}

// fail shows err as an error page: a lost session goes back to sign-in,
// internal errors are logged and described without their details.
func (d *Dashboard) fail(c echo.Context, v *view, err error) error {
	code := engine.ErrorCode(err)
	if code == engine.EUNAUTHORIZED && c.Path() != "/login" {
		return toLogin(c)
	}
	status := engine.HTTPStatus(err)
	msg := sentence(engine.ErrorMessage(err))
	if status == http.StatusInternalServerError {
		status = http.StatusInternalServerError
		msg = "Something went wrong on the server; it has been logged. Try again, and tell the server's admin if it persists."
		d.log.Error("dashboard request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	v.Title = titleByStatus[status]
	if v.Title == "" {
		v.Title = "Error"
	}
	v.Data = errorData{Status: status, Message: msg}
	return d.render(c, status, "error", v)
}
