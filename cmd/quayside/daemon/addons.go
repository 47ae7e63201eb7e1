package daemon

import "github.com/quayside/quayside/engine"

// addonDumper is the runtime's backup support for add-ons, nil while the
// runtime has none (add-on backups then answer that they are unavailable).
func addonDumper(rt any) engine.AddonDumper {
	if d, ok := rt.(engine.AddonDumper); ok {
		return d
	}
	return nil
}
