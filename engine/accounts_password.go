package engine

import (
	"strings"
	"unicode/utf8"
)

// Password limits.
const (
	MinPasswordLen = 10   // characters
	MaxPasswordLen = 1024 // bytes
)

// validatePasswordLength checks what can be checked without knowing whose
// password it is.
func validatePasswordLength(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return FieldError("password", "the password is too short: use at least %d characters", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return FieldError("password", "the password is too long: use at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// validatePassword reports whether pw may be the password of email.
func validatePassword(email, pw string) error {
	if err := validatePasswordLength(pw); err != nil {
		return err
	}
	if strings.EqualFold(strings.TrimSpace(pw), email) {
		return FieldError("password", "the password must not be your e-mail address")
	}
	return nil
}
