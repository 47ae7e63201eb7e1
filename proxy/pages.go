package proxy

import (
	"net/http"
	"strconv"
)

// page is a static answer the proxy gives on its own behalf. Pages say what
// the visitor can do and nothing about the server: no app names, versions,
// addresses or error text.
type page struct {
	status int
	body   []byte
	length []string
}

func newPage(status int, title, text string) page {
	body := []byte("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
		"</title></head>\n<body><h1>" + title + "</h1>\n<p>" + text + "</p></body></html>\n")
	return page{status: status, body: body, length: []string{strconv.Itoa(len(body))}}
}

var (
	pageBadRequest = newPage(http.StatusBadRequest, "Bad request",
		"The address this request was sent to is not a valid host name.")
	pageNotFound = newPage(http.StatusNotFound, "Not found",
		"There is no app at this address.")
	pageUnavailable = newPage(http.StatusServiceUnavailable, "Service unavailable",
		"This app has no healthy release right now. Please try again in a moment.")
	pageBadGateway = newPage(http.StatusBadGateway, "Bad gateway",
		"The app did not answer. Please try again in a moment.")
)

// Shared header values; the server only reads them.
var (
	htmlType = []string{"text/html; charset=utf-8"}
	nosniff  = []string{"nosniff"}
	noStore  = []string{"no-store"}
)

// writePage answers with pg, replacing any header set so far.
func writePage(w http.ResponseWriter, pg *page) {
	writePageRetry(w, pg, nil)
}

// writePageRetry is writePage with a Retry-After header when retryAfter is set.
func writePageRetry(w http.ResponseWriter, pg *page, retryAfter []string) {
	if retryAfter != nil {
		writePageWith(w, pg, "Retry-After", retryAfter[0])
		return
	}
	writePageWith(w, pg, "", "")
}

// writePageWith answers with pg and one more header field when key is set.
func writePageWith(w http.ResponseWriter, pg *page, key, value string) {
	h := w.Header()
	clear(h)
	h["Content-Type"] = htmlType
	h["X-Content-Type-Options"] = nosniff
	h["Cache-Control"] = noStore
	h["Content-Length"] = pg.length
	if key != "" {
		h[key] = []string{value}
	}
	w.WriteHeader(pg.status)
	_, _ = w.Write(pg.body)
}
