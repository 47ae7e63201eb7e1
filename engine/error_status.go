package engine

import "net/http"

// statusByCode is the one table that turns error codes into HTTP statuses;
// the API (ui) and the dashboard (ui/dashboard) both answer by it.
var statusByCode = map[string]int{
	EINVALID:        http.StatusBadRequest,
	EUNAUTHORIZED:   http.StatusUnauthorized,
	EFORBIDDEN:      http.StatusForbidden,
	ENOTFOUND:       http.StatusNotFound,
	ECONFLICT:       http.StatusConflict,
	ETOOLARGE:       http.StatusRequestEntityTooLarge,
	EDEPLOYFAILED:   http.StatusUnprocessableEntity,
	EINTERNAL:       http.StatusInternalServerError,
	ENOTIMPLEMENTED: http.StatusNotImplemented,
	EUNAVAILABLE:    http.StatusServiceUnavailable,
	ETOOMANY:        http.StatusTooManyRequests,
}

// HTTPStatus returns the HTTP status for err's code: 500 for EINTERNAL, for
// errors that are not *Error and for codes the table does not know, and 200
// for nil.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if s, ok := statusByCode[ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
