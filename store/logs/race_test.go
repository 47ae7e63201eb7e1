//go:build race

package logs

import "time"

// raceEnabled reports whether the race detector is on.
const raceEnabled = true

// slowMachine scales a time bound for the race detector.
func slowMachine(d time.Duration) time.Duration { return 10 * d }
