//go:build !(js && wasm)

package app

import (
	"context"
	"errors"
)

// workerVersion has no service worker to ask outside a browser.
func workerVersion(context.Context) (string, error) {
	return "", errors.New("no service worker outside a browser")
}
