// Package layout has no code: its test keeps the package picture true.
// engine imports only the standard library; the adapters (store, proxy,
// builder, ui and their subpackages) import engine but never each other;
// only cmd wires them together. Packages under internal/ are small shared
// utilities anyone may import; they import nothing of the project but engine.
package layout
