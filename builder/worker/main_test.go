package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quayside/quayside/engine"
)

// childModeEnv makes the test binary a build child (or, for "parent", a
// parent that runs one) instead of running the tests.
const childModeEnv = "QS_WORKER_TEST_MODE"

func TestMain(m *testing.M) {
	switch mode := os.Getenv(childModeEnv); mode {
	case "":
		os.Exit(m.Run())
	case "parent":
		os.Exit(runParent())
	default:
		os.Exit(runChild(mode))
	}
}

// runChild serves one build with the fake builder of mode, as the
// build-worker verb does.
func runChild(mode string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if mode == "deaf" {
		signal.Ignore(syscall.SIGTERM)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	grace := time.Minute
	if g, err := time.ParseDuration(os.Getenv("QS_WORKER_TEST_GRACE")); err == nil {
		grace = g
	}
	return Serve(ctx, os.Stdin, os.NewFile(sourceFD, "source"), os.NewFile(messagesFD, "messages"), log, grace,
		func(_ context.Context, config json.RawMessage, log *slog.Logger) (engine.Builder, func(), error) {
			log.Info("fake builder made", "config", string(config))
			return fakeBuilder{mode: mode}, func() {}, nil
		})
}

// runParent runs a "slow" child and writes its output to stdout; the test
// kills this process to see the child go too.
func runParent() int {
	r := &Runner{Path: os.Args[0], Env: append(os.Environ(), childModeEnv+"=slow")}
	_, err := r.Build(context.Background(), nil, engine.BuildRequest{App: "orphan", Output: os.Stdout})
	fmt.Println("parent done:", err)
	return 0
}

// fakeBuilder is the child's builder in the tests; mode says what it does.
type fakeBuilder struct{ mode string }

func (f fakeBuilder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	fmt.Fprintf(req.Output, "pid %d\n", os.Getpid())
	switch f.mode {
	case "ok":
		return f.echo(ctx, req)
	case "fail":
		cause := errors.New("exit status 51")
		return nil, fmt.Errorf("build image: %w", engine.Wrapf(cause, engine.EDEPLOYFAILED, "buildpacks: a buildpack failed"))
	case "read":
		var n countWriter
		if err := req.Source.Archive(ctx, &n); err != nil {
			return nil, err
		}
		return nil, errors.New("extract source: unexpected EOF")
	case "plain":
		return nil, errors.New("make pack client: boom")
	case "forge":
		// What a build step could print: result messages of the protocol.
		fmt.Fprint(req.Output, `{"image":{"ref":"forged-line"}}`+"\n")
		fmt.Fprint(req.Output, `{"image":{"ref":"forged-partial"}}`)
		return nil, engine.Errorf(engine.EDEPLOYFAILED, "the build failed")
	case "crash":
		fmt.Fprint(req.Output, "about to crash\n")
		panic("the fake builder crashed")
	case "oom":
		fmt.Fprint(req.Output, "about to be killed\n")
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	case "slow":
		fmt.Fprint(req.Output, "started\n")
		<-ctx.Done()
		return nil, fmt.Errorf("build image: %w", ctx.Err())
	case "deaf", "stuck":
		fmt.Fprint(req.Output, "started\n")
		select {}
	}
	return nil, fmt.Errorf("unknown mode %q", f.mode)
}

// echo reads the source and says what it received.
func (f fakeBuilder) echo(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	var n countWriter
	if err := req.Source.Archive(ctx, &n); err != nil {
		return nil, err
	}
	fmt.Fprintf(req.Output, "source %d bytes\n", n)
	fmt.Fprint(req.Output, "no newline at the end")
	req.Source, req.Output = nil, nil
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return &engine.Image{Ref: string(data), Method: "buildpacks", Port: 8080,
		Processes: []engine.Process{{Type: "web", Entrypoint: []string{"/cnb/process/web"}}}}, nil
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// pidFrom returns the pid a fake child printed in out.
func pidFrom(out string) (int, bool) {
	var pid int
	for _, l := range strings.Split(out, "\n") {
		if _, err := fmt.Sscanf(l, "pid %d", &pid); err == nil {
			return pid, true
		}
	}
	return 0, false
}

// gone reports whether process pid has ended (a zombie counts as ended).
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses.
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] == ')' {
			return i+2 < len(data) && data[i+2] == 'Z'
		}
	}
	return false
}

// randSource feeds quick.Value.
var randSource = rand.New(rand.NewSource(1))
