package certs

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
)

func TestZapLoggerWritesToSlog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	zl := zapLogger(log).Named("obtain").With(zap.String("identifier", "app.test"))

	zl.Debug("too chatty")
	assert.Empty(t, buf.String(), "certmagic's debug is below slog's debug")
	zl.Info("acquiring lock", zap.Int("attempt", 2))
	assert.Contains(t, buf.String(), `level=DEBUG msg="acquiring lock"`)
	assert.Contains(t, buf.String(), "logger=certmagic.obtain")
	assert.Contains(t, buf.String(), "attempt=2")
	assert.Contains(t, buf.String(), "identifier=app.test")
	buf.Reset()
	zl.Warn("hmm")
	assert.Contains(t, buf.String(), "level=WARN")
	buf.Reset()
	zl.Error("could not get certificate", zap.Error(assert.AnError))
	assert.Contains(t, buf.String(), "level=ERROR")
	assert.Contains(t, buf.String(), "assert.AnError")

	quiet := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	buf.Reset()
	zapLogger(quiet).Info("acquiring lock")
	assert.Empty(t, buf.String(), "certmagic's info is debug for Quayside")
}
