package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
)

type listeners struct {
	http, ssh, hook, control net.Listener
}

// listen opens every listener, or none.
func (d *daemon) listen() (*listeners, error) {
	var ls listeners
	var err error
	closeAll := func() {
		for _, l := range []net.Listener{ls.http, ls.ssh, ls.hook, ls.control} {
			if l != nil {
				l.Close()
			}
		}
	}
	if ls.http, err = listenTCP("http-addr", d.cfg.httpAddr); err != nil {
		return nil, err
	}
	if ls.ssh, err = listenTCP("ssh-addr", d.cfg.sshAddr); err != nil {
		closeAll()
		return nil, err
	}
	if ls.hook, err = d.recv.ListenHookSocket(); err != nil {
		closeAll()
		return nil, err
	}
	if ls.control, err = listenControl(controlSocket(d.cfg.data)); err != nil {
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

// listenControl opens the control socket, readable by its owner only. The
// data dir lock guarantees a leftover socket file is stale.
func listenControl(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("remove stale control socket: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create control socket dir: %w", err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("restrict control socket: %w", err)
	}
	return l, nil
}
