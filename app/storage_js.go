//go:build js && wasm

package app

import "syscall/js"

// requestPersistence asks the browser not to evict the phone's data under
// storage pressure (Safari evicts script-written storage after 7 days
// without use unless the origin is persistent) and warns when refused.
func requestPersistence(s *Shift) {
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
// persistent, so that the warning survives a reload.
func CheckPersistence(s *Shift) {
	storage := js.Global().Get("navigator").Get("storage")
	if !storage.Truthy() || !storage.Get("persisted").Truthy() {
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
