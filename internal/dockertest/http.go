package dockertest

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// Get fetches url, retrying until it answers 200 OK, and returns that body.
// It fails t when no 200 comes within 10 seconds.
func Get(t testing.TB, url string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := "no answer"
	for time.Now().Before(deadline) {
		if body, status, err := getOnce(url); err != nil {
			last = err.Error()
		} else if status == http.StatusOK {
			return body
		} else {
			last = http.StatusText(status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("GET %s: no 200 within 10s (last: %s)", url, last)
	t.FailNow()
	return ""
}

func getOnce(url string) (string, int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}
