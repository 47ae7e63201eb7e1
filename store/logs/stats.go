package logs

import "sync/atomic"

// Stats counts what the store did with the lines it was given.
type Stats struct {
	// Appended counts lines accepted by Append, after splitting; Written
	// those on disk; Dropped those not written because the disk queue was
	// full, the disk failed or the app was removed first (followers still
	// got them). Once Flush returns, Appended = Written + Dropped + Queued.
	Appended, Written, Dropped uint64
	// Rejected counts lines refused for an invalid app name.
	Rejected uint64
	// Missed counts lines followers skipped because they read too slowly.
	Missed uint64
	// Queued is how many lines wait for the disk now.
	Queued int
	// Followers is how many followers are attached now.
	Followers int
	// Apps holds the counts of each app the store knows.
	Apps map[string]AppStats
}

// AppStats counts one app's lines since the store was opened.
type AppStats struct {
	Appended, Written, Dropped uint64
	Followers                  int
	// DiskBytes is the size of the app's segment files as last published.
	DiskBytes int64
	// LastSeq is the Seq of the app's newest line (0 if it has none).
	LastSeq uint64
}

// counters are an app's line counts, guarded by its mu.
type counters struct{ appended, written, dropped uint64 }

// totals are the store's line counts.
type totals struct{ appended, written, dropped, rejected, missed atomic.Uint64 }

// Stats returns the store's counts. Totals cover apps removed since Open;
// Apps lists the apps the store knows now.
func (s *Store) Stats() Stats {
	st := Stats{
		Appended: s.totals.appended.Load(), Written: s.totals.written.Load(),
		Dropped: s.totals.dropped.Load(), Rejected: s.totals.rejected.Load(),
		Missed: s.totals.missed.Load(), Queued: int(s.queued.Load()),
		Apps: map[string]AppStats{},
	}
	for _, a := range s.appList() {
		as := a.appStats()
		st.Apps[a.name] = as
		st.Followers += as.Followers
	}
	return st
}

// appStats returns the app's counts.
func (a *appLog) appStats() AppStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	as := AppStats{
		Appended: a.stats.appended, Written: a.stats.written, Dropped: a.stats.dropped,
		Followers: len(a.followers), LastSeq: a.nextSeq - 1,
	}
	for _, seg := range a.segs {
		as.DiskBytes += seg.size
	}
	return as
}
