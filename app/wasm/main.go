//go:build js && wasm

// Command wasm is the phone app: it opens the phone's store, starts the
// shift state and its timers, and hands control to go-app.
package main

import (
	"context"
	"log"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	ui "beredskap/app"
	"beredskap/app/shift"
	"beredskap/app/vault"
)

func main() {
	ctx := context.Background()
	var store vault.Store
	volatile := false
	if v, err := vault.OpenIndexedDB(ctx); err == nil {
		store = v
	} else {
		// Private windows and some embedded browsers refuse IndexedDB: the
		// app still works for this page's life, and every page says that
		// what is recorded is gone when it closes.
		log.Printf("beredskap: %v", err)
		store, volatile = vault.NewMemory(), true
	}
	// The first page speaks the language of the loading screen before
	// the store has been read.
	sh := shift.NewShift(shift.NewAPI(""), store, shift.Options{Hardware: ui.PlatformKey{}, Lang: ui.BrowserLang(), Volatile: volatile, Browser: ui.Browser{}})
	ui.Routes(sh)

	// The browser's "online" event is a hint to probe at once; any touch
	// or key postpones the idle lock.
	wake := make(chan struct{}, 1)
	win := app.Window()
	win.Call("addEventListener", "online", app.FuncOf(func(app.Value, []app.Value) any {
		select {
		case wake <- struct{}{}:
		default:
		}
		sh.Syncer().WakeSync()
		return nil
	}))
	touch := app.FuncOf(func(app.Value, []app.Value) any { sh.Clock().Touch(); return nil })
	for _, ev := range []string{"pointerdown", "keydown", "scroll"} {
		win.Call("addEventListener", ev, touch, map[string]any{"passive": true})
	}

	go func() {
		lang := ui.BrowserLang()
		if err := sh.Load(ctx); err != nil {
			log.Printf("beredskap: %v", err)
		}
		sh.Prefs().DefaultLang(ctx, lang)
		ui.CheckPersistence(sh)
		go sh.Clock().Run(ctx, 5*time.Second)
		go sh.Syncer().RunSync(ctx, time.Minute)
		sh.Syncer().Watch(ctx, 20*time.Second, wake, func() {
			app.TryUpdate()
			sh.Syncer().WakeSync()
			if err := sh.Keyring().Refresh(ctx); err != nil {
				log.Printf("beredskap: refresh: %v", err)
			}
		})
	}()
	app.RunWhenOnBrowser()
}
