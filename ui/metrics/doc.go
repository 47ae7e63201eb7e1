// Package metrics measures what the daemon serves and runs: per-app
// request figures from the proxy, container CPU and memory, deploys and
// builds, certificate expiry. It exposes them to Prometheus (written with
// prometheus/client_golang) and keeps a bounded history, saved in the data
// dir, for the dashboard's charts.
package metrics
