// Package worker runs one build in a child process, so that what the build
// allocates (pack, the Docker client's buffers, the extracted tree) lives
// and dies with that process and never swells the daemon.
//
// The parent (Runner, in the daemon) starts the child (Serve, behind the
// hidden verb `quayside internal build-worker`) in a process group of its
// own, hands it the build request as JSON on its stdin and the commit's
// tree as a tar stream on fd 3, and reads the child's messages from fd 4:
// the build's output lines as they happen, then one result (the image, or
// the error with its engine code and message). The child's stdout and
// stderr carry its log records, which the parent logs as its own.
//
// Cancelling the parent's context sends SIGTERM to the child's group, which
// stops the build and its containers; SIGKILL follows after a grace period.
// A child whose parent dies gets SIGTERM too (Pdeathsig) and exits within
// the grace period. A child that crashes or is killed is a build failure
// that says so, never a hung build.
package worker
