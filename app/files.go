package app

import (
	"context"
	"errors"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// readFile reads the file chosen in a file input. Call it from a
// goroutine: it waits for the browser's promise.
func readFile(ctx context.Context, input app.Value) (name string, data []byte, err error) {
	if !app.IsClient {
		return "", nil, errors.New("reading a file needs a browser")
	}
	files := input.Get("files")
	if !files.Truthy() || files.Get("length").Int() == 0 {
		return "", nil, errors.New("no file chosen")
	}
	f := files.Index(0)
	done := make(chan error, 1)
	onErr := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- errors.New("the file could not be read")
		return nil
	})
	onBuf := app.FuncOf(func(this app.Value, args []app.Value) any {
		u8 := app.Window().Get("Uint8Array").New(args[0])
		data = make([]byte, u8.Get("length").Int())
		app.CopyBytesToGo(data, u8)
		done <- nil
		return nil
	})
	defer onBuf.Release()
	defer onErr.Release()
	f.Call("arrayBuffer").Call("then", onBuf, onErr)
	select {
	case err = <-done:
		return f.Get("name").String(), data, err
	case <-ctx.Done():
		return "", nil, ctx.Err()
	}
}
