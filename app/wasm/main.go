//go:build js && wasm

// Command wasm is the phone app: it opens the phone's store, starts the
// shift state and hands control to go-app.
package main

import (
	"context"
	"log"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "beredskap/app"
	"beredskap/app/vault"
)

func main() {
	ctx := context.Background()
	var store vault.Store
	if v, err := vault.OpenIndexedDB(ctx); err == nil {
		store = v
	} else {
		// Private windows and some embedded browsers refuse IndexedDB: the
		// app still works for this page's life.
		log.Printf("beredskap: %v", err)
		store = vault.NewMemory()
	}
	shift := ui.NewShift(ui.NewAPI(""), store)
	shift.SetLang(app.Window().Get("navigator").Get("language").String())
	ui.Routes(shift)

	// The browser's "online" event is a hint to probe at once.
	wake := make(chan struct{}, 1)
	app.Window().Call("addEventListener", "online", app.FuncOf(func(app.Value, []app.Value) any {
		select {
		case wake <- struct{}{}:
		default:
		}
		return nil
	}))
	go func() {
		if err := shift.LoadPublic(ctx); err != nil {
			log.Printf("beredskap: %v", err)
		}
		shift.Watch(ctx, 20*time.Second, wake, app.TryUpdate)
	}()
	app.RunWhenOnBrowser()
}
