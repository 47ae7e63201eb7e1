package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
	"github.com/quayside/quayside/ui/auth"
)

// Log query limits.
const (
	defaultLogTail = 100
	maxLogTail     = 100000
	maxLogSince    = 90 * 24 * time.Hour
	logWriteWait   = 10 * time.Second
	logHeartbeat   = 20 * time.Second
)

// logQuery reads ?n=, ?since= (a duration such as 10m, or an RFC 3339
// time) and ?process= into an engine query.
func logQuery(c echo.Context, now time.Time) (engine.LogQuery, error) {
	q := engine.LogQuery{App: c.Param("app"), Process: c.QueryParam("process")}
	n, err := queryInt(c, "n", defaultLogTail, 0, maxLogTail)
	if err != nil {
		return q, err
	}
	q.Tail = n
	if n == 0 {
		q.Tail = engine.NoHistory // ?n=0: none of the history, not all of it
	}
	if s := c.QueryParam("since"); s != "" {
		if q.Since, err = parseSince(s, now); err != nil {
			return q, err
		}
	}
	return q, nil
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 || d > maxLogSince {
			return time.Time{}, engine.FieldError("since", "--since %s is out of range: use a duration from 1s to %s, such as 10m or 2h", s, maxLogSince)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, engine.FieldError("since", "--since %q is neither a duration (10m, 2h) nor a time (2025-01-02T15:04:05Z)", s)
	}
	if t.After(now.Add(time.Minute)) || now.Sub(t) > maxLogSince {
		return time.Time{}, engine.FieldError("since", "--since %s is out of range: it must be within the last %s", s, maxLogSince)
	}
	return t, nil
}

func logJSON(l engine.LogLine) api.LogLine {
	return api.LogLine{Seq: l.Seq, Time: l.Time, Process: l.Process, Replica: l.Replica,
		Release: l.Release, Stream: l.Stream, Text: l.Text}
}

// getLogs answers with the history, and with ?follow=true keeps streaming
// new lines as newline-delimited JSON events until the client goes.
func (s *Server) getLogs(c echo.Context) error {
	q, err := logQuery(c, time.Now())
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if c.QueryParam("follow") != "true" {
		lines, err := s.cfg.Engine.Logs(ctx, q)
		if err != nil {
			return err
		}
		out := api.LogList{Lines: make([]api.LogLine, 0, len(lines))}
		for _, l := range lines {
			out.Lines = append(out.Lines, logJSON(l))
		}
		return c.JSON(http.StatusOK, out)
	}
	ctx, release := s.hold(c)
	defer release()
	history, live, err := s.cfg.Engine.FollowLogs(ctx, q)
	if cause := endedBy(ctx); err != nil && cause != nil {
		return cause
	}
	if err != nil {
		return err
	}
	return s.streamLogs(ctx, c, history, live)
}

// streamLogs writes history, then live lines until the client goes or ctx
// ends; when Hold ended it, the last event says why.
func (s *Server) streamLogs(ctx context.Context, c echo.Context, history []engine.LogLine, live <-chan engine.LogDelivery) error {
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, api.StreamContentType)
	res.Header().Set("Cache-Control", "no-cache")
	res.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(res)
	for _, l := range history {
		_ = enc.Encode(api.LogEvent{Type: "line", Line: ptrTo(logJSON(l))})
	}
	res.Flush()
	beat := time.NewTicker(logHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			endLogStream(ctx, enc)
			res.Flush()
			return nil
		case d, ok := <-live:
			if !ok {
				endLogStream(ctx, enc)
				res.Flush()
				return nil
			}
			if err := enc.Encode(deliveryEvent(d)); err != nil {
				return nil
			}
		case <-beat.C:
			if err := enc.Encode(api.LogEvent{Type: "heartbeat"}); err != nil {
				return nil
			}
		}
		res.Flush()
	}
}

func deliveryEvent(d engine.LogDelivery) api.LogEvent {
	ev := api.LogEvent{Type: "line", Missed: d.Missed}
	if d.Line.Text == "" && d.Line.Seq == 0 {
		ev.Type = "missed"
		return ev
	}
	ev.Line = ptrTo(logJSON(d.Line))
	return ev
}

func ptrTo[T any](v T) *T { return &v }

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 16 << 10,
	// Same-origin only: a page elsewhere (another app's page on a sibling
	// host among them) must not read an app's logs with the user's cookies.
	CheckOrigin: auth.SameOrigin,
}

var errCrossSiteLogs = engine.Errorf(engine.EFORBIDDEN, "logs over a WebSocket are only for the dashboard's own pages: "+
	"send the same Origin as the page, or use an API token (Authorization: Bearer qs_...)")

// wsOriginAllowed reports whether r may follow logs over a WebSocket: its
// Origin is the control host's own (auth.SameOrigin). Browsers always send
// Origin with a WebSocket handshake, so one signed in with the session
// cookie (a browser's credential) but without Origin is refused too;
// clients with a token need none.
func wsOriginAllowed(c echo.Context) bool {
	r := c.Request()
	if r.Header.Get("Origin") == "" && auth.Session(c) != nil {
		return false
	}
	return auth.SameOrigin(r)
}

// logsWebSocket follows an app's logs over a WebSocket: history first,
// then new lines, one JSON api.LogEvent per message.
func (s *Server) logsWebSocket(c echo.Context) error {
	if !wsOriginAllowed(c) {
		return errCrossSiteLogs
	}
	q, err := logQuery(c, time.Now())
	if err != nil {
		return err
	}
	ctx, release := s.hold(c)
	defer release()
	history, live, err := s.cfg.Engine.FollowLogs(ctx, q)
	if cause := endedBy(ctx); err != nil && cause != nil {
		return cause
	}
	if err != nil {
		return err
	}
	conn, err := upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
	go discardReads(conn)
	for _, l := range history {
		if writeWS(conn, api.LogEvent{Type: "line", Line: ptrTo(logJSON(l))}) != nil {
			return nil
		}
	}
	beat := time.NewTicker(logHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			closeWS(conn, endedBy(ctx))
			return nil
		case d, ok := <-live:
			if !ok {
				closeWS(conn, endedBy(ctx))
				return nil
			}
			if writeWS(conn, deliveryEvent(d)) != nil {
				return nil
			}
		case <-beat.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(logWriteWait)) != nil {
				return nil
			}
		}
	}
}

func writeWS(conn *websocket.Conn, ev api.LogEvent) error {
	_ = conn.SetWriteDeadline(time.Now().Add(logWriteWait))
	return conn.WriteJSON(ev)
}

// discardReads reads (and drops) what the client sends so control frames
// are handled and a closed connection is noticed.
func discardReads(conn *websocket.Conn) {
	conn.SetReadLimit(4096)
	for {
		if _, _, err := conn.NextReader(); err != nil {
			conn.Close()
			return
		}
	}
}
