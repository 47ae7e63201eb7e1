package daemon

import (
	"net"
	"path/filepath"

	"github.com/quayside/quayside/internal/unixsock"

	"github.com/quayside/quayside/engine"
)

// ControlSocket is where the daemon listens for the CLI, inside the data dir.
func ControlSocket(data string) string { return filepath.Join(data, "control.sock") }

type listeners struct {
	http, https, ssh, hook, control net.Listener
}

func (ls *listeners) closeAll() {
	for _, l := range []net.Listener{ls.http, ls.https, ls.ssh, ls.hook, ls.control} {
		if l != nil {
			l.Close()
		}
	}
}

// listen opens every listener, or none.
func (d *Daemon) listen() (*listeners, error) {
	var ls listeners
	var err error
	closeAll := ls.closeAll
	if ls.http, err = listenTCP("http-addr", d.cfg.HTTPAddr); err != nil {
		return nil, err
	}
	if ls.https, err = listenTCP("https-addr", d.cfg.HTTPSAddr); err != nil {
		closeAll()
		return nil, err
	}
	if ls.ssh, err = listenTCP("ssh-addr", d.cfg.SSHAddr); err != nil {
		closeAll()
		return nil, err
	}
	if ls.hook, err = d.recv.ListenHookSocket(); err != nil {
		closeAll()
		return nil, err
	}
	if ls.control, err = listenControl(ControlSocket(d.cfg.Data)); err != nil {
		closeAll()
		return nil, err
	}
	return &ls, nil
}

func listenTCP(flag, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, engine.Errorf(engine.EUNAVAILABLE, "cannot listen on --%s %s: %v (is another program using it?)", flag, addr, err)
	}
	return l, nil
}

// listenControl opens the control socket, readable by its owner only.
func listenControl(path string) (net.Listener, error) {
	return unixsock.Listen(path)
}
