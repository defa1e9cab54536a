package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// page is embedded by every page: it holds the shared shift and renders
// the page again whenever the shift changes.
type page struct {
	app.Compo
	shift *Shift
	// updateReady is set when a new version of the app has been installed
	// in the background.
	updateReady bool
	// mounted is false in the server's prerender and true once the app
	// runs in the browser; tests wait for it.
	mounted bool
}

// mount registers the page for change notifications. Pages call it from
// their OnMount.
func (p *page) mount(ctx app.Context) {
	p.mounted = true
	p.shift.attach(ctx)
	ctx.Handle(changed, func(ctx app.Context, a app.Action) {})
}

// OnAppUpdate is called by go-app when a new version has been installed.
func (p *page) OnAppUpdate(ctx app.Context) {
	p.updateReady = ctx.AppUpdateAvailable()
}

// t translates for the page.
func (p *page) t(key string, args ...any) string { return p.shift.T(key, args...) }

// frame lays out a page: the status bar on top, the content, the tab bar at
// the bottom within thumb reach.
func (p *page) frame(active, title string, content ...app.UI) app.UI {
	return app.Div().Class("shell").Attr("data-mounted", p.mounted).Body(
		p.topbar(title),
		app.If(p.updateReady, func() app.UI {
			return app.Div().Class("banner banner-info").Attr("role", "status").Attr("data-testid", "update-ready").Body(
				app.Span().Text(p.t("update.ready")),
				app.Button().Class("btn btn-small").Text(p.t("update.reload")).
					OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
			)
		}),
		app.Main().ID("main").Class("content").Body(content...),
		p.tabbar(active),
	)
}

func (p *page) topbar(title string) app.UI {
	online, known := p.shift.Online()
	status, class := p.t("status.online"), "pill pill-online"
	switch {
	case !known:
		status, class = p.t("status.checking"), "pill pill-unknown"
	case !online:
		status, class = p.t("status.offline"), "pill pill-offline"
	}
	return app.Header().Class("topbar").Body(
		app.H1().Class("topbar-title").Text(title),
		app.Span().Class(class).Attr("data-testid", "net-status").Attr("role", "status").Text(status),
	)
}

func (p *page) tabbar(active string) app.UI {
	tab := func(id, href, label, icon string) app.UI {
		class, current := "tab", ""
		if id == active {
			class, current = "tab tab-active", "page"
		}
		return app.A().Href(href).Class(class).Attr("aria-current", current).Attr("data-testid", "tab-"+id).Body(
			app.Span().Class("tab-icon").Attr("aria-hidden", "true").Text(icon),
			app.Span().Class("tab-label").Text(label),
		)
	}
	return app.Nav().Class("tabbar").Attr("aria-label", p.t("nav.label")).Body(
		tab("visits", "/", p.t("nav.visits"), "☰"),
		tab("routines", "/routines", p.t("nav.routines"), "⚠"),
	)
}
