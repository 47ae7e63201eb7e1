package docker

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// waitEvent reads events until one matches or 20 s pass, and returns the
// events read on the way, the match last.
func waitEvent(t *testing.T, ch <-chan engine.RuntimeEvent, match func(engine.RuntimeEvent) bool) []engine.RuntimeEvent {
	t.Helper()
	var seen []engine.RuntimeEvent
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			require.True(t, ok, "events channel closed early")
			seen = append(seen, ev)
			if match(ev) {
				return seen
			}
		case <-timeout:
			t.Fatalf("event not delivered; saw %+v", seen)
		}
	}
}

func is(action, id string) func(engine.RuntimeEvent) bool {
	return func(ev engine.RuntimeEvent) bool { return ev.Action == action && ev.Container.ID == id }
}

func TestEvents(t *testing.T) {
	mine, theirs := newTestRuntime(t), newTestRuntime(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	ch := mine.Events(ctx)

	other := webSpec("crash")
	other.Cmd = []string{"/server", "-exit", "4"}
	foreign, err := theirs.Start(ctx, other)
	require.NoError(t, err)

	spec := webSpec("crash")
	spec.Release, spec.Replica = 3, 2
	spec.Cmd = []string{"/server", "-exit", "3"}
	c, err := mine.Start(ctx, spec)
	require.NoError(t, err)

	seen := waitEvent(t, ch, is(engine.EventStart, c.ID))
	seen = append(seen, waitEvent(t, ch, is(engine.EventDie, c.ID))...)

	t.Run("die carries the exit code and identity", func(t *testing.T) {
		die := seen[len(seen)-1]
		assert.Equal(t, 3, die.ExitCode)
		assert.Equal(t, "crash", die.Container.App)
		assert.Equal(t, 3, die.Container.Release)
		assert.Equal(t, "web", die.Container.Process)
		assert.Equal(t, 2, die.Container.Replica)
		assert.Equal(t, c.Name, die.Container.Name)
		assert.WithinDuration(t, time.Now(), die.Time, time.Minute)
	})
	t.Run("other instances' events are filtered out", func(t *testing.T) {
		for _, ev := range seen {
			assert.NotEqual(t, foreign.ID, ev.Container.ID)
		}
	})
	t.Run("the restart policy restarts it", func(t *testing.T) {
		require.Eventually(t, func() bool {
			got, err := mine.Inspect(ctx, c.ID)
			return err == nil && got.RestartCount >= 1
		}, 20*time.Second, 100*time.Millisecond)
	})
	t.Run("the channel closes when ctx ends", func(t *testing.T) {
		cancel()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("events channel still open")
			}
		}
	})
}

func TestEventsReconnectWithoutLoss(t *testing.T) {
	direct := newTestRuntime(t)
	p := startProxy(t, strings.TrimPrefix(testCLI.DaemonHost(), "unix://"))
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+p.addr()), client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	viaProxy := New(cli, direct.instance, nil)
	ctx := testCtx(t)
	ch := viaProxy.Events(ctx)

	first, err := direct.Start(ctx, webSpec("flaky"))
	require.NoError(t, err)
	before := waitEvent(t, ch, is(engine.EventStart, first.ID))

	p.cut() // the stream breaks and reconnecting fails until restore
	spec := webSpec("flaky")
	spec.Replica = 2
	second, err := direct.Start(ctx, spec)
	require.NoError(t, err)
	p.restore()

	after := waitEvent(t, ch, is(engine.EventStart, second.ID))
	firstStarts := 0
	for _, ev := range append(before, after...) {
		if is(engine.EventStart, first.ID)(ev) {
			firstStarts++
		}
	}
	assert.Equal(t, 1, firstStarts, "no event delivered twice after reconnecting")
}

func TestEventFromMessage(t *testing.T) {
	r := New(nil, "abcd", nil)
	msg := func(typ events.Type, instance, exitCode string) events.Message {
		return events.Message{Type: typ, Action: events.ActionDie, TimeNano: 1_700_000_000_123_456_789,
			Actor: events.Actor{ID: "c1", Attributes: map[string]string{
				dockernames.LabelInstance: instance, dockernames.LabelApp: "shop", dockernames.LabelRelease: "4", LabelProcess: "worker",
				LabelReplica: "2", "name": "qs-abcd-shop-worker-2-v4-beef", "image": "sha256:x", "exitCode": exitCode,
			}}}
	}
	oneOff := msg(events.ContainerEventType, "abcd", "0")
	oneOff.Actor.Attributes[LabelOneOff] = "true"
	tests := []struct {
		name string
		in   events.Message
		ok   bool
		code int
	}{
		{"ours", msg(events.ContainerEventType, "abcd", "137"), true, 137},
		{"no exit code", msg(events.ContainerEventType, "abcd", ""), true, 0},
		{"another instance", msg(events.ContainerEventType, "ffff", "1"), false, 0},
		{"not a container", msg(events.NetworkEventType, "abcd", "1"), false, 0},
		{"a one-off container", oneOff, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok := r.toEvent(tt.in)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			assert.Equal(t, engine.RuntimeEvent{
				Action: engine.EventDie, ExitCode: tt.code, Time: time.Unix(0, tt.in.TimeNano),
				Container: engine.Container{ID: "c1", Name: "qs-abcd-shop-worker-2-v4-beef", App: "shop",
					Release: 4, Process: "worker", Replica: 2, Image: "sha256:x"},
			}, ev)
		})
	}
}

func TestSinceArg(t *testing.T) {
	assert.Equal(t, "1700000000.000000042", sinceArg(time.Unix(1_700_000_000, 42)))
	assert.Equal(t, "0.000000000", sinceArg(time.Unix(0, 0)))
}

// proxy forwards TCP connections on loopback to a unix socket and can cut
// them all, and refuse new ones, until restored.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func startProxy(t *testing.T, socket string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, target: socket}
	done := make(chan struct{})
	go p.serve(done)
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		p.cut()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve(done chan<- struct{}) {
	defer close(done)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns = append(p.conns, c)
		}
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	u, err := net.Dial("unix", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, u)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(u, c); _ = u.Close() }()
	_, _ = io.Copy(c, u)
	_ = c.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
