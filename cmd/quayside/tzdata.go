package main

// The scheduled jobs' time zones (quayside cron add --tz) are read from
// the IANA database embedded in the binary, so they work on hosts without
// /usr/share/zoneinfo.
import _ "time/tzdata"
