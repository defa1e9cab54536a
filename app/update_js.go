//go:build js && wasm

package app

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// workerVersion asks the active service worker which version of the app
// it serves (server/worker.js answers a "beredskap:version" message on a
// MessageChannel). Call it from a goroutine, never from a JS callback.
func workerVersion(ctx context.Context) (string, error) {
	sw := js.Global().Get("navigator").Get("serviceWorker")
	if !sw.Truthy() {
		return "", errors.New("no service worker support")
	}
	type answer struct {
		version string
		err     error
	}
	done := make(chan answer, 1)
	send := func(a answer) {
		select {
		case done <- a:
		default:
		}
	}
	var onReg, onFail, onMessage js.Func
	onFail = js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "service worker registration failed"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		send(answer{err: errors.New(msg)})
		return nil
	})
	onMessage = js.FuncOf(func(this js.Value, args []js.Value) any {
		data := args[0].Get("data")
		if !data.Truthy() || data.Get("version").Type() != js.TypeString {
			send(answer{err: errors.New("the worker's answer holds no version")})
			return nil
		}
		send(answer{version: data.Get("version").String()})
		return nil
	})
	onReg = js.FuncOf(func(this js.Value, args []js.Value) any {
		reg := args[0]
		if !reg.Truthy() || !reg.Get("active").Truthy() {
			send(answer{err: errors.New("no active service worker")})
			return nil
		}
		ch := js.Global().Get("MessageChannel").New()
		ch.Get("port1").Set("onmessage", onMessage)
		msg := js.Global().Get("Object").New()
		msg.Set("type", "beredskap:version")
		reg.Get("active").Call("postMessage", msg, []any{ch.Get("port2")})
		return nil
	})
	sw.Call("getRegistration").Call("then", onReg, onFail)
	select {
	case a := <-done:
		onReg.Release()
		onFail.Release()
		onMessage.Release()
		return a.version, a.err
	case <-ctx.Done():
		// The callbacks stay: a late answer must not call a released
		// function (which panics).
		return "", fmt.Errorf("ask the service worker its version: %w", ctx.Err())
	}
}
