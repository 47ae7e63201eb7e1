// Package certs gives the proxy its TLS certificates: from an ACME
// certificate authority (Let's Encrypt by default) for a server with a public
// domain, or from a small local CA for a laptop (domain localhost or an IP
// address).
//
// A [Manager] implements engine.Certificates. The proxy uses four things:
// [Manager.TLSConfig] for its HTTPS listener, [Manager.HTTPChallengeHandler]
// around its plain HTTP handler, [Manager.HasCertificate] to decide on the
// redirect to HTTPS, and [Config.Allowed], its route table, which is the only
// authority on which hosts may have a certificate.
//
// In ACME mode certmagic does the protocol: Manage loads a stored certificate
// or obtains one in the background (HTTP-01 and TLS-ALPN-01 challenges), and
// certmagic's maintenance renews it. Certificates and the ACME account live
// under [Config.Dir] and are reused across restarts and deploys: a host is
// never ordered again while a usable certificate is stored. Every attempt is
// tracked through certmagic's events; a failure is turned into plain words
// ("DNS for shop.example.com does not resolve to this server: ...") and kept
// on disk, so it survives a restart, and a restart does not retry a failing
// host before its backoff has passed.
//
// A TLS handshake for a name Allowed rejects fails at once without touching
// storage or the network, so a flood of random names stays cheap. A
// handshake for an allowed host without a certificate starts managing it and
// waits a little for the certificate.
//
// In local mode Quayside creates a root CA once under Dir and issues
// short-lived leaf certificates in memory on demand; [Manager.RootPEM] is
// the root for `quayside ca export`.
//
// The package imports engine, certmagic and the standard library; cmd/quayside
// wires it to the proxy and the engine.
package certs
