//go:build !(js && wasm)

package app

import "time"

// localTime is t in the local time zone (outside the browser, the
// process's).
func localTime(t time.Time) time.Time { return t.Local() }
