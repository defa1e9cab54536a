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

// streamDownload fetches an export with the session token and hands it to
// the browser as a file, calling progress once the answer has begun (with
// no bytes) and then with each chunk as it arrives
// (through a TransformStream, so that the browser, not the wasm heap,
// gathers the file: it may hold hundreds of megabytes). The file is
// made only from a complete answer: when the server aborts the
// connection, the body's stream errors, the blob is never made and the
// error comes back. Ending ctx aborts the fetch.
func streamDownload(ctx context.Context, path, token, filename string, progress func(chunk []byte)) error {
	g := js.Global()
	abort := g.Get("AbortController").New()
	opts := g.Get("Object").New()
	headers := g.Get("Object").New()
	headers.Set("Authorization", "Bearer "+token)
	opts.Set("headers", headers)
	opts.Set("signal", abort.Get("signal"))
	done := make(chan error, 1)
	finish := func(err error) {
		select {
		case done <- err:
		default: // the first outcome counts
		}
	}
	var funcs []js.Func
	fn := func(f func(args []js.Value) any) js.Func {
		jf := js.FuncOf(func(this js.Value, args []js.Value) any { return f(args) })
		funcs = append(funcs, jf)
		return jf
	}
	defer func() {
		for _, f := range funcs {
			f.Release()
		}
	}()
	onErr := fn(func(args []js.Value) any {
		msg := "download failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		finish(errors.New(msg))
		return nil
	})
	onBlob := fn(func(args []js.Value) any {
		u := g.Get("URL").Call("createObjectURL", args[0])
		a := g.Get("document").Call("createElement", "a")
		a.Set("href", u)
		a.Set("download", filename)
		g.Get("document").Get("body").Call("appendChild", a)
		a.Call("click")
		a.Call("remove")
		var revoke js.Func
		revoke = js.FuncOf(func(js.Value, []js.Value) any {
			g.Get("URL").Call("revokeObjectURL", u)
			revoke.Release()
			return nil
		})
		g.Call("setTimeout", revoke, 60000)
		finish(nil)
		return nil
	})
	onErrorBody := func(status int) js.Func {
		return fn(func(args []js.Value) any {
			var eb wire.ErrorBody
			if len(args) > 0 && json.Unmarshal([]byte(args[0].String()), &eb) == nil && eb.Error.Code != "" {
				finish(&eb.Error)
				return nil
			}
			finish(fmt.Errorf("export: HTTP %d", status))
			return nil
		})
	}
	var buf []byte
	transform := fn(func(args []js.Value) any {
		chunk, ctrl := args[0], args[1]
		if n := chunk.Get("length").Int(); n > 0 {
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			js.CopyBytesToGo(buf[:n], chunk)
			progress(buf[:n])
		}
		ctrl.Call("enqueue", chunk)
		return nil
	})
	onResp := fn(func(args []js.Value) any {
		resp := args[0]
		if !resp.Get("ok").Bool() {
			resp.Call("text").Call("then", onErrorBody(resp.Get("status").Int()), onErr)
			return nil
		}
		progress(nil)
		body := resp.Get("body")
		if !body.Truthy() || !g.Get("TransformStream").Truthy() {
			resp.Call("blob").Call("then", onBlob, onErr) // no streams: no progress
			return nil
		}
		ts := g.Get("TransformStream").New(map[string]any{"transform": transform})
		counted := g.Get("Response").New(body.Call("pipeThrough", ts))
		counted.Call("blob").Call("then", onBlob, onErr)
		return nil
	})
	g.Call("fetch", path, opts).Call("then", onResp, onErr)
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		abort.Call("abort")
		// The abort rejects what is pending; then the callbacks may go.
		// A download that had just finished stays finished.
		if err = <-done; err != nil {
			return ctx.Err()
		}
	}
	if err != nil && shift.ErrorCode(err) == "" {
		return errors.Join(errExportBroken, err)
	}
	return err
}
