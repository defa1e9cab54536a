//go:build js && wasm

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"beredskap/app/shift"
	"beredskap/internal/wire"
)

// requestPersistence asks the browser not to evict the phone's data under
// storage pressure (Safari evicts script-written storage after 7 days
// without use unless the origin is persistent) and warns when refused.
func requestPersistence(s *shift.Shift) {
	storage := js.Global().Get("navigator").Get("storage")
	if !storage.Truthy() || !storage.Get("persist").Truthy() {
		s.SetStorageAtRisk(true)
		return
	}
	var then js.Func
	then = js.FuncOf(func(this js.Value, args []js.Value) any {
		s.SetStorageAtRisk(!(len(args) > 0 && args[0].Truthy()))
		then.Release()
		return nil
	})
	storage.Call("persist").Call("then", then)
}

// CheckPersistence asks at start whether the phone's storage is
// persistent, so that the warning survives a reload. A browser that cannot
// say (no navigator.storage, as in some WebKit builds, or no persisted())
// gets the warning on every start, as it did when the PIN was chosen.
func CheckPersistence(s *shift.Shift) {
	storage := js.Global().Get("navigator").Get("storage")
	if !storage.Truthy() || !storage.Get("persisted").Truthy() {
		s.SetStorageAtRisk(true)
		return
	}
	var then js.Func
	then = js.FuncOf(func(this js.Value, args []js.Value) any {
		s.SetStorageAtRisk(!(len(args) > 0 && args[0].Truthy()))
		then.Release()
		return nil
	})
	storage.Call("persisted").Call("then", then)
}

// officeKey keeps a coordinator's session for the life of the browser tab,
// so that a reload of a desk page does not ask for the password again.
const officeKey = "beredskap.office"

func saveOfficeSession(b []byte) {
	js.Global().Get("sessionStorage").Call("setItem", officeKey, string(b))
}

func loadOfficeSession() []byte {
	v := js.Global().Get("sessionStorage").Call("getItem", officeKey)
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	return []byte(v.String())
}

func clearOfficeSession() {
	js.Global().Get("sessionStorage").Call("removeItem", officeKey)
}

// download fetches an export with the session token and hands it to the
// browser as a file.
func download(ctx context.Context, path, token, filename string) error {
	opts := js.Global().Get("Object").New()
	headers := js.Global().Get("Object").New()
	headers.Set("Authorization", "Bearer "+token)
	opts.Set("headers", headers)
	done := make(chan error, 1)
	var onResp, onBlob, onErr js.Func
	onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- errors.Join(shift.ErrOffline, errors.New("download failed"))
		return nil
	})
	onBlob = js.FuncOf(func(this js.Value, args []js.Value) any {
		u := js.Global().Get("URL").Call("createObjectURL", args[0])
		a := js.Global().Get("document").Call("createElement", "a")
		a.Set("href", u)
		a.Set("download", filename)
		js.Global().Get("document").Get("body").Call("appendChild", a)
		a.Call("click")
		a.Call("remove")
		js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
			js.Global().Get("URL").Call("revokeObjectURL", u)
			return nil
		}), 10000)
		done <- nil
		return nil
	})
	onResp = js.FuncOf(func(this js.Value, args []js.Value) any {
		if !args[0].Get("ok").Bool() {
			// The server's error envelope carries the key the user's
			// language needs (a bad date range, another unit).
			status := args[0].Get("status").Int()
			onText := js.FuncOf(func(this js.Value, a []js.Value) any {
				var eb wire.ErrorBody
				if err := json.Unmarshal([]byte(a[0].String()), &eb); err == nil && eb.Error.Code != "" {
					e := eb.Error
					done <- &e
					return nil
				}
				done <- fmt.Errorf("download: HTTP %d", status)
				return nil
			})
			args[0].Call("text").Call("then", onText, onErr)
			return nil
		}
		args[0].Call("blob").Call("then", onBlob, onErr)
		return nil
	})
	js.Global().Call("fetch", path, opts).Call("then", onResp, onErr)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
