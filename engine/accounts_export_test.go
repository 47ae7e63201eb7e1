package engine

// LockoutQueued is how many sign-in attempts on account hold or wait for
// its turn in the lockout gate now, for tests.
func LockoutQueued(a *Accounts, account string) int {
	a.lockout.mu.Lock()
	defer a.lockout.mu.Unlock()
	if t := a.lockout.m[NormalizeEmail(account)]; t != nil {
		return t.refs
	}
	return 0
}
