package main

import (
	"github.com/quayside/quayside/engine"
)

// exitByCode is the one table that turns error codes into exit statuses.
var exitByCode = map[string]int{
	"":                     0,
	engine.EINTERNAL:       1,
	engine.EINVALID:        2,
	engine.ENOTFOUND:       3,
	engine.ECONFLICT:       4,
	engine.EUNAUTHORIZED:   5,
	engine.EFORBIDDEN:      5,
	engine.EUNAVAILABLE:    6,
	engine.EDEPLOYFAILED:   7,
	engine.ETOOLARGE:       2,
	engine.ENOTIMPLEMENTED: 2,
	engine.ETOOMANY:        6,
}

func exitCode(err error) int {
	if c, ok := exitByCode[engine.ErrorCode(err)]; ok {
		return c
	}
	return 1
}

// errorText is what the user sees for err.
func errorText(err error) string {
	if engine.ErrorCode(err) == engine.EINTERNAL {
		return "quayside: " + engine.CleanText(err.Error())
	}
	return " !     " + engine.CleanText(engine.ErrorMessage(err))
}
