//go:build !(js && wasm)

package app

import "beredskap/app/shift"

// loadTheme has no phone to read a choice from: the system theme.
func loadTheme() string { return shift.ThemeSystem }

// applyTheme has no page to set the theme on outside a browser.
func applyTheme(string) {}

// showLang has no page to mark outside a browser.
func showLang(string) {}

// BrowserLang has no browser to ask outside one.
func BrowserLang() string { return "" }

// appleMobile is false outside a browser.
func appleMobile() bool { return false }
