//go:build js && wasm

package app

import (
	"syscall/js"
	"time"
)

// localTime is t in the browser's time zone. Go's time.Local in the
// browser is one fixed offset, the one of the moment the app started, so
// a time on the other side of a change to or from summer time would show
// an hour off; the browser knows the offset of every instant.
func localTime(t time.Time) time.Time {
	offset := js.Global().Get("Date").New(float64(t.UnixMilli())).Call("getTimezoneOffset").Int()
	return t.In(time.FixedZone("", -offset*60))
}
