//go:build js && wasm

package app

import (
	"strings"
	"syscall/js"

	"beredskap/app/shift"
)

// The theme and the language are also kept in localStorage, where
// web/boot.js reads them before the wasm has loaded: the loading screen of
// a night shift is already dark and speaks the user's language.
const (
	themeKey = "beredskap.theme"
	langKey  = "beredskap.lang"
)

// loadTheme returns the colour theme chosen on this phone.
func loadTheme() (theme string) {
	theme = shift.ThemeSystem
	quietly(func() {
		if v := js.Global().Get("localStorage").Call("getItem", themeKey); v.Type() == js.TypeString {
			theme = v.String()
		}
	})
	return theme
}

// applyTheme remembers the theme and sets it on <html>, where the style
// sheet picks its colours from; the system theme removes the attribute and
// lets prefers-color-scheme decide.
func applyTheme(theme string) {
	root := js.Global().Get("document").Get("documentElement")
	quietly(func() { js.Global().Get("localStorage").Call("setItem", themeKey, theme) })
	if theme == shift.ThemeSystem {
		root.Call("removeAttribute", "data-theme")
		return
	}
	root.Call("setAttribute", "data-theme", theme)
}

// showLang marks the page's language (for screen readers and hyphenation)
// and remembers it for the next loading screen.
func showLang(lang string) {
	js.Global().Get("document").Get("documentElement").Set("lang", lang)
	quietly(func() { js.Global().Get("localStorage").Call("setItem", langKey, lang) })
}

// quietly runs f and ignores a JavaScript exception: a browser that
// refuses localStorage (some private modes) only loses the early theme.
func quietly(f func()) {
	defer func() { _ = recover() }()
	f()
}

// BrowserLang is the language to start in when none is kept in the
// phone's store: the one last shown here (what web/boot.js used for the
// loading screen), else the browser's own.
func BrowserLang() (lang string) {
	quietly(func() {
		if v := js.Global().Get("localStorage").Call("getItem", langKey); v.Type() == js.TypeString {
			lang = v.String()
		}
	})
	if lang == "" {
		lang = js.Global().Get("navigator").Get("language").String()
	}
	return lang
}

// appleMobile reports an iPhone or iPad, where Safari installs a web app
// only through its Share menu.
func appleMobile() bool {
	nav := js.Global().Get("navigator")
	ua := nav.Get("userAgent").String()
	ipadOS := strings.Contains(ua, "Macintosh") && nav.Get("maxTouchPoints").Int() > 1
	return strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad") || strings.Contains(ua, "iPod") || ipadOS
}
