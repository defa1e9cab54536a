//go:build !(js && wasm)

package app

import (
	"context"
	"errors"
)

// streamDownload has no browser to hand a file to.
func streamDownload(ctx context.Context, path, token, filename string, progress func(chunk []byte)) error {
	return errors.New("download needs a browser")
}
