// Package insights computes a team's delivery figures, the four of the DORA
// research (deployment frequency, lead time for changes, change failure rate
// and failed deployment recovery time), from the facts Quayside records:
// releases, the commits each push brought, and crash loops.
//
// It is pure computation over a History and imports only the standard
// library. The engine gathers the history from its store (production
// releases only), calls Compute with its clock, and hands the Report to the
// API, the CLI, the dashboard and the Prometheus gauges. docs/insights.md
// states every figure exactly as this package computes it.
package insights
