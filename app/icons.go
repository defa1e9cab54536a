package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// icon returns a small inline SVG icon, drawn with the text colour. Icons
// are decoration: the element is hidden from screen readers, and every
// control that shows one also carries a text label.
func icon(name string) app.UI {
	path, ok := iconPaths[name]
	if !ok {
		return app.Text("")
	}
	return app.Raw(`<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="` + path + `"/></svg>`)
}

// iconPaths are simple line drawings on a 24×24 grid.
var iconPaths = map[string]string{
	"list":    "M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01",
	"unit":    "M3 11l9-7 9 7M5 10v10h14V10M10 20v-6h4v6",
	"warning": "M12 3l10 18H2zM12 10v5M12 18h.01",
	"lock":    "M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4",
	"sync":    "M20 11a8 8 0 0 0-14.9-3M4 4v4h4M4 13a8 8 0 0 0 14.9 3M20 20v-4h-4",
	"close":   "M6 6l12 12M18 6L6 18",
	"globe":   "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M3 12h18M12 3c2.5 2.7 3.5 5.7 3.5 9s-1 6.3-3.5 9M12 3c-2.5 2.7-3.5 5.7-3.5 9s1 6.3 3.5 9",
}
