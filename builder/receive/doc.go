// Package receive is how code reaches Quayside: `git push` over SSH.
//
// Server runs an SSH server (public-key authentication against the key
// store) that accepts exactly one command, git-receive-pack, on a bare
// repository per app at <ReposDir>/<app>.git. Each repository has a
// pre-receive hook that execs the quayside binary (RunHook), which calls back
// into the daemon over a unix socket. The daemon then builds and deploys the
// pushed commit through the Deployer while git waits, streaming the output
// back to the pusher as "remote:" lines. The branch moves only when the
// deploy succeeded: a failed deploy fails the hook, and git rejects the push.
//
// During the hook the pushed objects sit in git's quarantine directory;
// Source reads the commit from there.
//
// Before authentication a connection is held to a deadline
// (Config.HandshakeTimeout) and counted against caps per address and in
// all (Config.MaxConnsPerAddr, Config.MaxConns), so idle or trickling
// clients cannot pile up (sshconn.go).
//
// The package speaks engine types only; cmd/quayside wires it to the engine
// (Deployer), the store (KeyFinder) and the `quayside hook pre-receive`
// command (RunHook).
package receive
