package cnb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

var assemblyNow = time.Unix(1_800_000_000, 0)

// statusFile is a status file as scripts/make-builder.sh writes it.
func statusFile(state, step string, started time.Time, estimate int) string {
	return fmt.Sprintf("state=%s\nstep=%s\nstarted=%d\nestimate=%d\n", state, step, started.Unix(), estimate)
}

func TestParseAssembly(t *testing.T) {
	ago := func(d time.Duration) time.Time { return assemblyNow.Add(-d) }
	tests := []struct {
		name string
		data string
		ok   bool
		step string
	}{
		{"assembling", statusFile("assembling", "import the run image", ago(time.Minute), 270), true, "import the run image"},
		{"ready", statusFile("ready", "made in 250 s", ago(time.Hour), 270), true, "made in 250 s"},
		{"failed long ago is still failed", statusFile("failed", "debootstrap failed", ago(48*time.Hour), 270), true, "debootstrap failed"},
		{"unknown estimate", statusFile("assembling", "waiting", ago(time.Minute), 0), true, "waiting"},
		{"unknown state", statusFile("done", "x", ago(time.Minute), 270), false, ""},
		{"no state", "step=x\nstarted=1\nestimate=1\n", false, ""},
		{"no start", "state=assembling\nstep=x\nestimate=270\n", false, ""},
		{"start not a number", "state=assembling\nstep=x\nstarted=soon\nestimate=270\n", false, ""},
		{"negative estimate", statusFile("assembling", "x", ago(time.Minute), -5), false, ""},
		{"absurd estimate", statusFile("assembling", "x", ago(time.Minute), 90*24*3600), false, ""},
		{"started in the future", statusFile("assembling", "x", assemblyNow.Add(time.Hour), 270), false, ""},
		{"left by a killed make builder", statusFile("assembling", "x", ago(2*time.Hour), 270), false, ""},
		{"not key=value at all", "\x00\x01garbage", false, ""},
		{"escape sequences are dropped", statusFile("assembling", "step \x1b]0;owned\x07 \x1b[2Jdone\r", ago(time.Minute), 270), true, "step ]0;owned [2Jdone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := parseAssembly([]byte(tt.data), assemblyNow)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.step, a.step)
		})
	}
}

func TestParseAssemblyLongStepIsCut(t *testing.T) {
	a, ok := parseAssembly([]byte(statusFile("assembling", strings.Repeat("é", 5000), assemblyNow, 270)), assemblyNow)
	require.True(t, ok)
	assert.Equal(t, strings.Repeat("é", maxAssemblyStep)+"...", a.step)
}

func TestReadAssemblyRefusesWhatIsNotASmallFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte(statusFile("assembling", "x", time.Now(), 270)), 0o600))
	_, ok := readAssembly(good, time.Now())
	assert.True(t, ok, "a status file as make builder writes it is read")

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte(statusFile("assembling", "x", time.Now(), 270)+strings.Repeat("#\n", maxAssemblyFile)), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	zero := filepath.Join(dir, "zero")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	for name, path := range map[string]string{
		"missing": filepath.Join(dir, "none"), "empty path": "", "too large": big,
		"a FIFO (would block)": fifo, "a link to a device (endless)": zero, "a directory": dir,
	} {
		t.Run(name, func(t *testing.T) {
			done := make(chan bool, 1)
			go func() { _, ok := readAssembly(path, time.Now()); done <- ok }()
			select {
			case ok := <-done:
				assert.False(t, ok)
			case <-time.After(5 * time.Second):
				t.Fatal("readAssembly blocked")
			}
		})
	}
}

func TestAssemblyNotReady(t *testing.T) {
	start := assemblyNow.Add(-90 * time.Second)
	tests := []struct {
		name  string
		a     assembly
		wants []string
	}{
		{"under way", assembly{state: "assembling", step: "install the build packages", started: start, estimate: 270 * time.Second},
			[]string{"is being assembled by make builder (install the build packages), 33% done, ready in about 3 minutes.", "Dockerfile deploys now", "builder.log"}},
		{"nearly done", assembly{state: "assembling", step: "create the builder", started: start, estimate: 100 * time.Second},
			[]string{"90% done, ready in about 1 minute."}},
		{"late", assembly{state: "assembling", step: "import", started: start, estimate: 60 * time.Second},
			[]string{"(import), taking longer than estimated (about 1 minute); ready soon."}},
		{"no estimate yet", assembly{state: "assembling", step: "another make builder is running; waiting for it", started: start},
			[]string{"is being assembled by make builder (another make builder is running; waiting for it). Push again then"}},
		{"failed", assembly{state: "failed", step: "the run and build images are made once with debootstrap and chroot, which need root.", started: start},
			[]string{"make builder failed (the run and build images are made once with debootstrap and chroot, which need root.)", "run make builder or make run again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.notReady(OfflineBuilder, assemblyNow)
			require.Error(t, err)
			assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
			for _, w := range tt.wants {
				assert.Contains(t, engine.ErrorMessage(err), w)
			}
		})
	}
	assert.NoError(t, assembly{state: "ready", started: start}.notReady(OfflineBuilder, assemblyNow),
		"a finished assembly whose image is gone says nothing: the caller's message applies")
}

// TestResolveWhileTheBuilderIsAssembled: a push made while make run is
// still assembling the offline builder is told how far it is, whether the
// server picks its builder itself or is configured with the offline one.
func TestResolveWhileTheBuilderIsAssembled(t *testing.T) {
	status := filepath.Join(t.TempDir(), "builder-assembly.status")
	write := func(data string) { require.NoError(t, os.WriteFile(status, []byte(data), 0o600)) }

	for _, def := range []string{"", OfflineBuilder} {
		t.Run("default builder "+def, func(t *testing.T) {
			images := newFakeImages()
			b := newFakeBuilder(Config{BuilderStatus: status, DefaultBuilder: def, PullTimeout: time.Second}, images)

			write(statusFile("assembling", "install the build packages", time.Now().Add(-time.Minute), 300))
			_, _, err := b.Resolve(context.Background())
			require.Error(t, err)
			assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), "is being assembled by make builder (install the build packages), 20% done, ready in about 4 minutes.")

			write(statusFile("failed", "debootstrap failed", time.Now().Add(-time.Minute), 300))
			_, _, err = b.Resolve(context.Background())
			assert.Contains(t, engine.ErrorMessage(err), "make builder failed (debootstrap failed)")

			write(statusFile("ready", "made", time.Now(), 300))
			_, _, err = b.Resolve(context.Background())
			assert.Contains(t, engine.ErrorMessage(err), "make builder", "the usual message")
			assert.NotContains(t, engine.ErrorMessage(err), "being assembled")

			write(statusFile("assembling", "create the builder", time.Now(), 300))
			images.present[OfflineBuilder] = true
			img, _, err := b.Resolve(context.Background())
			require.NoError(t, err, "once the image is there the status file does not matter")
			assert.Equal(t, OfflineBuilder, img)
		})
	}
}
