// Package app is the phone's user interface, built with go-app: the pages
// a home-care worker uses through an outage. It compiles natively (for the
// server's prerender and for tests) and to WebAssembly.
package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
)

// changed is the action posted whenever the shift's state changes, so that
// every mounted page renders again.
const changed = "beredskap/changed"

// Routes registers every page. The shift is shared by all pages; the
// server passes a blank one, used only to prerender the page shell.
func Routes(s *shift.Shift) {
	app.Route("/", func() app.Composer { return &visitsPage{page: page{shift: s}} })
	app.RouteWithRegexp(`^/visits/[0-9a-fA-F-]{36}$`, func() app.Composer { return &visitPage{page: page{shift: s}} })
	app.Route("/unit", func() app.Composer { return &unitPage{page: page{shift: s}} })
	app.Route("/office", func() app.Composer { return &dashboardPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/records", func() app.Composer { return &recordsPage{officePage: officePage{page: page{shift: s}}} })
	app.RouteWithRegexp(`^/office/records/[0-9a-fA-F-]{36}$`, func() app.Composer { return &recordPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/findings", func() app.Composer { return &findingsPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/authors", func() app.Composer { return &authorsPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/audit", func() app.Composer { return &auditPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/status", func() app.Composer { return &statusPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/routines", func() app.Composer { return &routinesAdminPage{officePage: officePage{page: page{shift: s}}} })
	app.RouteWithRegexp(`^/office/routines/([0-9a-fA-F-]{36}|new)$`, func() app.Composer { return &routineEditor{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/readiness", func() app.Composer { return &readinessPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/sync-health", func() app.Composer { return &syncHealthPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/drills", func() app.Composer { return &drillsPage{officePage: officePage{page: page{shift: s}}} })
	app.RouteWithRegexp(`^/office/drills/[0-9a-fA-F-]{36}$`, func() app.Composer { return &drillsPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/priority", func() app.Composer { return &priorityPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/users", func() app.Composer { return &usersPage{officePage: officePage{page: page{shift: s}}} })
	app.RouteWithRegexp(`^/office/devices/[0-9a-fA-F-]{36}/exposure$`, func() app.Composer { return &exposurePage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/office/plan", func() app.Composer { return &planPage{officePage: officePage{page: page{shift: s}}} })
	app.Route("/priority", func() app.Composer { return &phonePriorityPage{page: page{shift: s}} })
	app.Route("/cosign", func() app.Composer { return &cosignPage{page: page{shift: s}} })
	app.Route("/phones", func() app.Composer { return &phonesPage{page: page{shift: s}} })
	app.Route("/sync", func() app.Composer { return &syncPage{page: page{shift: s}} })
	app.Route("/routines", func() app.Composer { return &routinesPage{page: page{shift: s}} })
	app.RouteWithRegexp(`^/routines/[0-9a-fA-F-]{36}$`, func() app.Composer { return &routinesPage{page: page{shift: s}} })
}
