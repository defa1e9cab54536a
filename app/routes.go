// Package app is the phone's user interface, built with go-app: the pages
// a home-care worker uses through an outage. It compiles natively (for the
// server's prerender and for tests) and to WebAssembly.
package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Routes registers every page. The shift is shared by all pages; the
// server passes a blank one, used only to prerender the page shell.
func Routes(s *Shift) {
	app.Route("/", func() app.Composer { return &visitsPage{page: page{shift: s}} })
	app.RouteWithRegexp(`^/visits/[0-9a-fA-F-]{36}$`, func() app.Composer { return &visitPage{page: page{shift: s}} })
	app.Route("/unit", func() app.Composer { return &unitPage{page: page{shift: s}} })
	app.Route("/sync", func() app.Composer { return &syncPage{page: page{shift: s}} })
	app.Route("/routines", func() app.Composer { return &routinesPage{page: page{shift: s}} })
	app.RouteWithRegexp(`^/routines/[0-9a-fA-F-]{36}$`, func() app.Composer { return &routinesPage{page: page{shift: s}} })
}
