package install

import _ "embed"

// Script is install.sh, byte for byte, for the binary to serve at
// /install.sh. It is a POSIX sh script; serve it as text/x-shellscript.
//
//go:embed install.sh
var Script []byte
