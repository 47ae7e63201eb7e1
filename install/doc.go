// Package install holds Quayside's installer, install.sh: the POSIX shell
// script that installs, upgrades and removes Quayside on a Debian or Ubuntu
// server (Docker, git, the binary, a system user, a hardened systemd unit,
// the first admin). The binary serves it at https://quayside.<domain>/install.sh,
// so a new server needs one line:
//
//	curl -fsSL https://quayside.example.com/install.sh | sudo sh -s -- --domain example.com
//
// The tests run the script for real in a container made from a debootstrapped
// Debian root file system (install_test.go).
package install
