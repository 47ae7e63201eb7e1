// Package auth tells who makes a request to the API or the dashboard on
// the control host: a bearer API token, or the session cookie a browser
// got at sign-in (with a CSRF token for every change). It only identifies;
// what an identity may do is the engine's decision.
package auth
