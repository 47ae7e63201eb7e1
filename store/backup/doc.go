// Package backup is `quayside backup` and `quayside restore` without the
// CLI: the archive format and its manifest (format.go), writing a backup
// of a data dir (Backup), reading, verifying and swapping one in
// (Restore), the encryption of an archive (age, with a passphrase or for
// age public keys) and the limits a restore puts on what an archive may
// expand to.
//
// It sits in store: it reads the data dir's SQLite database through
// package store, and meets Docker only through the Images interface,
// which engine/docker implements and cmd wires.
//
// A backup holds the key that decrypts every config value, so it is as
// secret as the server: Encrypt wraps the archive stream, Decrypt unwraps
// it and refuses a wrong passphrase or identity with ErrWrongKey before
// anything is read. A restore reads archives it did not make: it refuses a
// newer format or schema, a truncated or damaged stream, paths outside the
// backed-up entries, anything but files and directories, members that do
// not match the manifest and (Budget) members that would expand past
// Limits, all before the data dir changes.
package backup
