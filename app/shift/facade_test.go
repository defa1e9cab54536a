package shift_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"

	ui "beredskap/app/shift"
	"beredskap/app/vault"
)

// TestFacadeStaysSmall keeps the Shift facade to what every page reads:
// the rest belongs on its parts (Keyring, Outbox, Syncer, Clock, Prefs).
func TestFacadeStaysSmall(t *testing.T) {
	typ := reflect.TypeOf(&ui.Shift{})
	if n := typ.NumMethod(); n > 20 {
		var names []string
		for i := range n {
			names = append(names, typ.Method(i).Name)
		}
		t.Fatalf("Shift has %d exported methods, at most 20: %v", n, names)
	}
}

// TestOnChangeIsTheOneCallback: every change reaches the function set
// last, and a replaced one is not called again (the latest mounted page's
// context renders).
func TestOnChangeIsTheOneCallback(t *testing.T) {
	ctx := context.Background()
	s := ui.NewShift(ui.NewAPI("http://127.0.0.1:1"), vault.NewMemory(), ui.Options{})
	var first, second atomic.Int32
	s.OnChange(func() { first.Add(1) })
	cases := []struct {
		name   string
		change func()
	}{
		{"load", func() {
			if err := s.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"theme", func() { s.Prefs().SetTheme(ui.ThemeDark) }},
		{"language", func() { s.Prefs().SetLang(ctx, "sv") }},
		{"storage warning", func() { s.SetStorageAtRisk(true) }},
		{"the server unreachable", func() { _ = s.Keyring().Login(ctx, "anna", "demo", "x") }},
	}
	for _, c := range cases {
		before := first.Load()
		c.change()
		if first.Load() == before {
			t.Errorf("%s: OnChange's function was not called", c.name)
		}
	}
	s.OnChange(func() { second.Add(1) })
	before := first.Load()
	s.Prefs().SetTheme(ui.ThemeLight)
	if first.Load() != before || second.Load() != 1 {
		t.Fatalf("after a new OnChange: the old one called %d more times, the new one %d", first.Load()-before, second.Load())
	}
}
