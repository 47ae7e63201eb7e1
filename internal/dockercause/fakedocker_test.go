package dockercause_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// fakeDocker answers the Docker Engine API calls a first deploy makes, as
// a daemon with nothing on it would, except that the route named in fail
// answers with the daemon's error text. Routes: "list", "image",
// "network create", "create", "start", "inspect".
type fakeDocker struct {
	fail    map[string]daemonError
	oomKill bool // the container dies at start, killed by the kernel (exit 137)

	mu     sync.Mutex
	labels map[string]string
	image  string
}

// failAt makes route answer with the daemon's message from now on.
func (f *fakeDocker) failAt(route string, status int, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]daemonError{}
	}
	f.fail[route] = daemonError{status, message}
}

// failure returns the failure set for route, if any.
func (f *fakeDocker) failure(route string) (daemonError, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.fail[route]
	return e, ok
}

// daemonError is an error answer of the daemon.
type daemonError struct {
	status  int
	message string
}

var versionPrefix = regexp.MustCompile(`^/v[0-9.]+`)

func (f *fakeDocker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := versionPrefix.ReplaceAllString(r.URL.Path, "")
	route := routeOf(r.Method, path)
	if e, ok := f.failure(route); ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": e.message})
		return
	}
	switch route {
	case "list":
		reply(w, http.StatusOK, []any{})
	case "image":
		reply(w, http.StatusOK, map[string]any{"Id": "sha256:1111"})
	case "network list":
		reply(w, http.StatusOK, []any{})
	case "network inspect":
		reply(w, http.StatusNotFound, map[string]string{"message": "network not found"})
	case "network create":
		reply(w, http.StatusCreated, map[string]any{"Id": "n1"})
	case "create":
		f.recordCreate(r.Body)
		reply(w, http.StatusCreated, map[string]any{"Id": containerID, "Warnings": []string{}})
	case "inspect":
		reply(w, http.StatusOK, f.inspect())
	case "other get":
		reply(w, http.StatusNotFound, map[string]string{"message": "No such container"})
	default: // start, stop, kill, remove: done
		w.WriteHeader(http.StatusNoContent)
	}
}

// routeOf names the API call of method and path.
func routeOf(method, path string) string {
	switch {
	case method == http.MethodGet && path == "/containers/json":
		return "list"
	case method == http.MethodGet && strings.HasPrefix(path, "/images/"):
		return "image"
	case method == http.MethodGet && path == "/networks":
		return "network list"
	case method == http.MethodGet && strings.HasPrefix(path, "/networks/"):
		return "network inspect"
	case method == http.MethodPost && path == "/networks/create":
		return "network create"
	case method == http.MethodPost && path == "/containers/create":
		return "create"
	case method == http.MethodPost && strings.HasSuffix(path, "/start"):
		return "start"
	case method == http.MethodGet && strings.HasPrefix(path, "/containers/") && strings.HasSuffix(path, "/json"):
		return "inspect"
	case method == http.MethodGet:
		return "other get"
	}
	return "done"
}

func (f *fakeDocker) recordCreate(body io.Reader) {
	var req struct {
		Image  string
		Labels map[string]string
	}
	_ = json.NewDecoder(body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.labels, f.image = req.Labels, req.Image
}

// inspect is the container as Docker shows it after the start.
func (f *fakeDocker) inspect() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	state := map[string]any{"Status": "running", "Running": true}
	if f.oomKill {
		state = map[string]any{"Status": "exited", "Running": false, "ExitCode": 137, "OOMKilled": true}
	}
	return map[string]any{
		"Id": containerID, "Name": "/qs-abcd1234-shop-web-1-v1-0000", "Created": "2026-01-01T00:00:00Z", "State": state,
		"Config":     map[string]any{"Image": f.image, "Labels": f.labels},
		"HostConfig": map[string]any{"PortBindings": map[string]any{"8080/tcp": []any{map[string]string{"HostIp": "127.0.0.1"}}}},
		"NetworkSettings": map[string]any{"Ports": map[string]any{
			"8080/tcp": []any{map[string]string{"HostIp": "127.0.0.1", "HostPort": "32768"}},
		}},
	}
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// containerID is the id of the one container the fake makes.
const containerID = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
