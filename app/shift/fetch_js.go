//go:build js && wasm

package shift

import (
	"context"
	"errors"
	"syscall/js"
)

// roundTrip sends a request with the browser's fetch. Go's net/http client
// would do the same underneath, but linking it adds megabytes of TLS and
// HTTP/2 code to the wasm that the browser already has. Must be called
// from a goroutine, never from a JS callback.
func roundTrip(ctx context.Context, method, url string, header map[string]string, body []byte) (int, []byte, error) {
	opts := js.Global().Get("Object").New()
	opts.Set("method", method)
	opts.Set("cache", "no-store")
	opts.Set("credentials", "same-origin")
	h := js.Global().Get("Object").New()
	for k, v := range header {
		h.Set(k, v)
	}
	opts.Set("headers", h)
	if body != nil {
		u8 := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(u8, body)
		opts.Set("body", u8)
	}
	abort := js.Global().Get("AbortController").New()
	opts.Set("signal", abort.Get("signal"))

	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	var onResponse, onBody, onError js.Func
	release := func() { onResponse.Release(); onBody.Release(); onError.Release() }
	status := 0
	onError = js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "fetch failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	onBody = js.FuncOf(func(this js.Value, args []js.Value) any {
		u8 := js.Global().Get("Uint8Array").New(args[0])
		b := make([]byte, u8.Get("length").Int())
		js.CopyBytesToGo(b, u8)
		done <- result{status: status, body: b}
		return nil
	})
	onResponse = js.FuncOf(func(this js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("arrayBuffer").Call("then", onBody, onError)
		return nil
	})
	js.Global().Call("fetch", url, opts).Call("then", onResponse, onError)
	select {
	case r := <-done:
		release()
		if r.err != nil {
			return 0, nil, errors.Join(ErrOffline, r.err)
		}
		return r.status, r.body, nil
	case <-ctx.Done():
		abort.Call("abort")
		<-done // the promise settles (rejected) after abort; only then release
		release()
		return 0, nil, ctx.Err()
	}
}
