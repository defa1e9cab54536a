// Package web holds the app's static files (style sheet, icons) and the
// built app.wasm with its precompressed copies, embedded into the server
// binary so that one file is all there is to deploy.
package web

import "embed"

// FS holds every file of this directory. app.wasm and its .br and .gz
// copies are present after `make wasm`; the server refuses to serve the
// app without them.
//
//go:embed *
var FS embed.FS
