package receive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// Limits on what the hook reads from git.
const (
	maxRefLines     = 1000
	maxRefLineBytes = 4096
)

// RunHook is the pre-receive hook: `quayside hook pre-receive` calls it with
// the process's stdin, stdout, stderr and environment, and exits with the
// status it returns. It sends the ref updates (from stdin), the push options
// and git's quarantine to the daemon over EnvHookSocket, copies the deploy's
// output to stdout as it arrives (git shows it to the pusher as "remote:"
// lines) and returns the daemon's verdict: 0 lets the push through, anything
// else rejects it. Canceling ctx drops the connection, which cancels the
// deploy.
func RunHook(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	vars := envMap(env)
	req, err := newHookRequest(stdin, vars)
	if err != nil {
		fmt.Fprintf(stderr, "! Push rejected: %v\n", err)
		return 1
	}
	code, err := callHook(ctx, vars[EnvHookSocket], req, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "! Push rejected: %v\n", err)
		return 1
	}
	return code
}

// newHookRequest gathers what git gives the hook.
func newHookRequest(stdin io.Reader, vars map[string]string) (*hookRequest, error) {
	if vars[EnvHookSocket] == "" || vars[EnvPushID] == "" {
		return nil, errors.New("the Quayside hook ran outside a push to Quayside")
	}
	refs, err := readRefUpdates(stdin)
	if err != nil {
		return nil, err
	}
	opts, err := pushOptionsFromEnv(vars)
	if err != nil {
		return nil, err
	}
	return &hookRequest{
		Version: hookProtocolVersion, PushID: vars[EnvPushID], Refs: refs, Options: opts,
		Quarantine: quarantine{
			Path:       vars["GIT_QUARANTINE_PATH"],
			ObjectDir:  vars["GIT_OBJECT_DIRECTORY"],
			Alternates: vars["GIT_ALTERNATE_OBJECT_DIRECTORIES"],
		},
	}, nil
}

// readRefUpdates parses the hook's stdin: "<old> <new> <ref>" per line.
func readRefUpdates(stdin io.Reader) ([]refUpdate, error) {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, maxRefLineBytes), maxRefLineBytes)
	var refs []refUpdate
	for sc.Scan() {
		if len(refs) == maxRefLines {
			return nil, fmt.Errorf("the push updates more than %d refs", maxRefLines)
		}
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			return nil, fmt.Errorf("git sent a malformed ref update %q", sc.Text())
		}
		refs = append(refs, refUpdate{Old: f[0], New: f[1], Name: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ref updates: %w", err)
	}
	return refs, nil
}

// pushOptionsFromEnv reads GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_<i>.
func pushOptionsFromEnv(vars map[string]string) ([]string, error) {
	count, ok := vars["GIT_PUSH_OPTION_COUNT"]
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(count)
	if err != nil || n < 0 || n > maxPushOptions {
		return nil, fmt.Errorf("too many push options (%s): the limit is %d", count, maxPushOptions)
	}
	opts := make([]string, n)
	for i := range opts {
		opts[i] = vars["GIT_PUSH_OPTION_"+strconv.Itoa(i)]
	}
	return opts, nil
}

// callHook sends req to the daemon and relays its answer.
func callHook(ctx context.Context, socket string, req *hookRequest, stdout io.Writer) (int, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return 1, errors.New("the Quayside daemon is not reachable. Try again in a moment")
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	b, err := json.Marshal(req)
	if err != nil {
		return 1, fmt.Errorf("encode hook request: %w", err)
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return 1, errors.New("lost the connection to the Quayside daemon")
	}
	return relayFrames(bufio.NewReaderSize(conn, 64<<10), stdout)
}

// relayFrames copies output frames to stdout until the exit frame.
func relayFrames(r *bufio.Reader, stdout io.Writer) (int, error) {
	for {
		line, err := readLine(r, maxHookLine)
		if err != nil {
			return 1, errors.New("lost the connection to the Quayside daemon during the deploy")
		}
		var f hookFrame
		if err := json.Unmarshal(line, &f); err != nil {
			return 1, fmt.Errorf("the Quayside daemon sent a malformed frame: %w", err)
		}
		if len(f.Output) > 0 {
			if _, err := stdout.Write(f.Output); err != nil {
				return 1, fmt.Errorf("write output: %w", err)
			}
		}
		if f.Exit != nil {
			return min(max(*f.Exit, 0), 255), nil
		}
	}
}

// envMap turns KEY=value pairs into a map; later entries win.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
