package main

import (
	"github.com/quayside/quayside/engine"
)

// fieldErr is an invalid-flag error.
func fieldErr(flag, format string, args ...any) error {
	return engine.FieldError(flag, format, args...)
}

// validateDomain checks --domain: a host name (localhost included).
func validateDomain(d string) error {
	if err := engine.ValidateHostname(d); err != nil {
		return fieldErr("domain", "--domain %q is not usable: %s", d, engine.ErrorMessage(err))
	}
	return nil
}
