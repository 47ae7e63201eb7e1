package enginetest

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strconv"
	"sync"

	"github.com/quayside/quayside/engine"
)

var (
	_ engine.AddonRuntime = (*Addons)(nil)
	_ engine.AddonDumper  = (*Addons)(nil)
)

// Addons is an in-memory engine.AddonRuntime and engine.AddonDumper. A
// volume's "data" is a string; a dump is that string, a restore sets it.
type Addons struct {
	mu         sync.Mutex
	containers map[string]*addonBox // by app/name
	// Volumes holds each volume's data.
	Volumes map[string]string
	// Images are the images the fake daemon has.
	Images map[string]bool
	starts int
}

type addonBox struct {
	spec engine.AddonSpec
	c    engine.AddonContainer
}

// NewAddons returns a fake add-on runtime that has the offline images.
func NewAddons() *Addons {
	return &Addons{containers: map[string]*addonBox{}, Volumes: map[string]string{},
		Images: map[string]bool{"quayside/postgres:15-offline": true, "quayside/redis:7-offline": true}}
}

func key(app, name string) string { return app + "/" + name }

// StartAddon implements engine.AddonRuntime.
func (f *Addons) StartAddon(_ context.Context, spec engine.AddonSpec) (*engine.AddonContainer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.Images[spec.Image] {
		return nil, engine.Errorf(engine.ENOTFOUND, "image %s not found", spec.Image)
	}
	_, existed := f.Volumes[spec.Volume]
	if !existed {
		f.Volumes[spec.Volume] = ""
	}
	f.starts++
	b := &addonBox{spec: spec, c: engine.AddonContainer{ID: "c" + strconv.Itoa(f.starts), Image: spec.Image, State: "running", Running: true,
		Networks: slices.Clone(spec.Networks)}}
	f.containers[key(spec.App, spec.Name)] = b
	c := b.c
	c.NewVolume = !existed
	return &c, nil
}

// Spec returns the spec the add-on's container was started with.
func (f *Addons) Spec(app, name string) (engine.AddonSpec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.containers[key(app, name)]
	if !ok {
		return engine.AddonSpec{}, false
	}
	return b.spec, true
}

// LoseVolume removes the add-on's container and volume, as a move to
// another machine does.
func (f *Addons) LoseVolume(app, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.containers[key(app, name)]; ok {
		delete(f.Volumes, b.spec.Volume)
		delete(f.containers, key(app, name))
	}
}

// Kill makes the add-on's container exited (or gone when remove).
func (f *Addons) Kill(app, name string, remove bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if remove {
		delete(f.containers, key(app, name))
		return
	}
	if b := f.containers[key(app, name)]; b != nil {
		b.c.State, b.c.Running = "exited", false
	}
}

// InspectAddon implements engine.AddonRuntime.
func (f *Addons) InspectAddon(_ context.Context, app, name string) (*engine.AddonContainer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.containers[key(app, name)]
	if !ok {
		return nil, engine.Errorf(engine.ENOTFOUND, "no container")
	}
	c := b.c
	c.Networks = slices.Clone(b.c.Networks)
	return &c, nil
}

// ConnectAddon implements engine.AddonRuntime.
func (f *Addons) ConnectAddon(_ context.Context, owner, name, app string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.containers[key(owner, name)]
	if !ok {
		return engine.Errorf(engine.ENOTFOUND, "no container")
	}
	if !slices.Contains(b.c.Networks, app) {
		b.c.Networks = append(b.c.Networks, app)
	}
	return nil
}

// DisconnectAddon implements engine.AddonRuntime.
func (f *Addons) DisconnectAddon(_ context.Context, owner, name, app string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.containers[key(owner, name)]; ok {
		b.c.Networks = slices.DeleteFunc(b.c.Networks, func(n string) bool { return n == app })
	}
	return nil
}

// RemoveAddon implements engine.AddonRuntime.
func (f *Addons) RemoveAddon(_ context.Context, app, name string, volumes ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.containers, key(app, name))
	for _, v := range volumes {
		delete(f.Volumes, v)
	}
	return nil
}

// RemoveAddonVolume implements engine.AddonRuntime.
func (f *Addons) RemoveAddonVolume(_ context.Context, _, _, vol string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.containers {
		if b.spec.Volume == vol {
			return engine.Errorf(engine.ECONFLICT, "volume %s is in use", vol)
		}
	}
	delete(f.Volumes, vol)
	return nil
}

// ExecAddon implements engine.AddonRuntime: 0 while running.
func (f *Addons) ExecAddon(_ context.Context, app, name string, cmd []string, _ io.Reader, out io.Writer) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.containers[key(app, name)]
	if !ok || !b.c.Running {
		return 0, engine.Errorf(engine.EUNAVAILABLE, "not running")
	}
	return 0, nil
}

// AddonLogs implements engine.AddonRuntime.
func (f *Addons) AddonLogs(context.Context, string, string, int) (string, error) {
	return "ready\n", nil
}

// VolumeSize implements engine.AddonRuntime: the length of its data.
func (f *Addons) VolumeSize(_ context.Context, vol string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.Volumes[vol])), nil
}

// HasImage implements engine.AddonRuntime; nothing can be pulled.
func (f *Addons) HasImage(_ context.Context, ref string, _ bool) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Images[ref], nil
}

// volumeOf returns the volume of the container id.
func (f *Addons) volumeOf(id string) (string, bool) {
	for _, b := range f.containers {
		if b.c.ID == id {
			return b.spec.Volume, true
		}
	}
	return "", false
}

// DumpAddon implements engine.AddonDumper.
func (f *Addons) DumpAddon(_ context.Context, spec engine.AddonDumpSpec, w io.Writer) error {
	f.mu.Lock()
	vol, ok := f.volumeOf(spec.Container)
	data := f.Volumes[vol]
	f.mu.Unlock()
	if !ok {
		return engine.Errorf(engine.ENOTFOUND, "no container %s", spec.Container)
	}
	_, err := io.WriteString(w, data)
	return err
}

// RestoreAddon implements engine.AddonDumper.
func (f *Addons) RestoreAddon(_ context.Context, spec engine.AddonDumpSpec, rd io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rd); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	vol, ok := f.volumeOf(spec.Container)
	if !ok {
		return engine.Errorf(engine.ENOTFOUND, "no container %s", spec.Container)
	}
	f.Volumes[vol] = buf.String()
	return nil
}

// Write sets the data of the add-on's volume (what the app would write).
func (f *Addons) Write(app, name, data string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.containers[key(app, name)]; ok {
		f.Volumes[b.spec.Volume] = data
	}
}

// Data returns the data of the add-on's volume.
func (f *Addons) Data(app, name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.containers[key(app, name)]; ok {
		return f.Volumes[b.spec.Volume]
	}
	return ""
}
