// Package backup holds the parts of `quayside backup` and `quayside
// restore` that do not depend on the CLI: the encryption of an archive
// (age, with a passphrase or for age public keys) and the limits a restore
// puts on what an archive may expand to.
//
// A backup holds the key that decrypts every config value, so it is as
// secret as the server: Encrypt wraps the archive stream, Decrypt unwraps
// it and refuses a wrong passphrase or identity with ErrWrongKey before
// anything is read. A restore reads archives it did not make; Budget
// refuses one whose members would expand past Limits (a gzip bomb), using
// the sizes the tar headers declare, before the bytes are written.
//
// The rest of backup and restore still lives in cmd/quayside.
package backup
