//go:build !(js && wasm)

package app

import (
	"context"
	"errors"

	"beredskap/app/shift"
)

// requestPersistence has nothing to ask outside a browser.
func requestPersistence(*shift.Shift) {}

// CheckPersistence has nothing to ask outside a browser.
func CheckPersistence(*shift.Shift) {}

func saveOfficeSession([]byte)  {}
func loadOfficeSession() []byte { return nil }
func clearOfficeSession()       {}

// download has no browser to hand a file to.
func download(ctx context.Context, path, token, filename string) error {
	return errors.New("download needs a browser")
}
