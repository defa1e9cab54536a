//go:build !(js && wasm)

package app

// requestPersistence has nothing to ask outside a browser.
func requestPersistence(*Shift) {}

// CheckPersistence has nothing to ask outside a browser.
func CheckPersistence(*Shift) {}
