package app

import (
	"context"
	"log"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/i18n"
)

// page is embedded by every page: it holds the shared shift and renders
// the page again whenever the shift changes.
type page struct {
	app.Compo
	shift *shift.Shift
	// updateReady is set when a new version of the app has been installed
	// in the background.
	updateReady bool
	// updateChecks counts the finished update checks (data-update-checks,
	// so that a test knows the answer is in).
	updateChecks int
	// mounted is false in the server's prerender and true once the app
	// runs in the browser; tests wait for it.
	mounted bool
	// settingsOpen shows the language and theme switchers.
	settingsOpen bool
	// installable is set while the browser offers to install the app.
	installable bool
}

// mount registers the page for change notifications. Pages call it from
// their OnMount.
func (p *page) mount(ctx app.Context) {
	p.mounted = true
	p.checkUpdate(ctx)
	p.installable = ctx.IsAppInstallable()
	p.shift.OnChange(func() { ctx.NewAction(changed) })
	ctx.Handle(changed, func(ctx app.Context, a app.Action) {})
}

// OnAppUpdate is called by go-app when a service worker has activated.
func (p *page) OnAppUpdate(ctx app.Context) {
	p.checkUpdate(ctx)
}

// checkUpdate shows the update banner only when the active service worker
// serves another version than the one this page booted with. go-app's
// app.js reports an update whenever a worker reaches "activated" while the
// page has a controller, and the worker's clients.claim() makes that true
// on the first install too.
func (p *page) checkUpdate(ctx app.Context) {
	if !ctx.AppUpdateAvailable() {
		p.updateReady = false
		return
	}
	booted := app.Getenv("GOAPP_VERSION")
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		active, err := workerVersion(c)
		if err != nil {
			log.Printf("beredskap: update check: %v", err)
		}
		ready := updateReady(booted, active, err)
		ctx.Dispatch(func(app.Context) { p.updateReady, p.updateChecks = ready, p.updateChecks+1 })
	})
}

// updateReady decides whether to announce a new version. When the worker
// cannot say which version it serves, the update is announced: a reload
// too many is better than a phone that never learns of a new version.
func updateReady(booted, active string, err error) bool {
	if err != nil || booted == "" || active == "" {
		return true
	}
	return booted != active
}

// OnAppInstallChange is called by go-app when the app can be installed, or
// has been.
func (p *page) OnAppInstallChange(ctx app.Context) {
	p.installable = ctx.IsAppInstallable()
}

// t translates for the page.
func (p *page) t(key string, args ...any) string { return p.shift.T(key, args...) }

// gate returns what to show instead of a page that needs the open shift:
// the login form, the PIN choice, the unlock form, or a loading note. ok
// is true when the shift is open and the page may render.
func (p *page) gate() (ui app.UI, ok bool) {
	switch p.shift.Phase() {
	case shift.PhaseUnlocked:
		return nil, true
	case shift.PhaseLoading:
		// Also the server's prerender: a neutral placeholder until the app runs.
		return app.P().Class("muted center").Text(p.t("app.loading")), false
	case shift.PhasePIN:
		return &pinSetup{shift: p.shift}, false
	case shift.PhaseLocked:
		return &unlockForm{shift: p.shift}, false
	case shift.PhaseOffice:
		return officeNote(p.shift), false
	default:
		return app.Div().Body(
			&loginForm{shift: p.shift},
			app.P().Class("muted center").Body(
				app.A().Href("/routines").Class("tap-link").Attr("data-testid", "routines-link").Text(p.t("visits.routines_link")),
			),
		), false
	}
}

// frame lays out a page: the status bar on top, the content, the tab bar at
// the bottom within thumb reach.
func (p *page) frame(active, title string, content ...app.UI) app.UI {
	return app.Div().Class("shell").Attr("data-mounted", p.mounted).Attr("data-update-checks", p.updateChecks).Body(
		p.topbar(title),
		p.settingsPanel(),
		app.If(p.updateReady, func() app.UI {
			return app.Div().Class("banner banner-info").Attr("role", "status").Attr("data-testid", "update-ready").Body(
				app.Span().Text(p.t("update.ready")),
				app.Button().Class("btn btn-small").Text(p.t("update.reload")).
					OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
			)
		}),
		app.If(p.shift.Volatile(), func() app.UI {
			return app.Div().Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "storage-volatile").
				Text(p.t("storage.volatile"))
		}),
		app.If(p.shift.StorageAtRisk() && p.shift.Phase() == shift.PhaseUnlocked, func() app.UI {
			return app.Div().Class("banner banner-important banner-compact").Attr("role", "status").Attr("data-testid", "storage-warning").Body(
				app.Span().Text(p.t("storage.at_risk")),
				app.Button().Class("btn-icon").Attr("aria-label", p.t("banner.dismiss")).Body(icon("close")).
					OnClick(func(ctx app.Context, e app.Event) { p.shift.SetStorageAtRisk(false) }),
			)
		}),
		p.drillBanner(),
		p.newAnnouncements(),
		app.Main().ID("main").Class("content").Body(content...),
		p.tabbar(active),
	)
}

// drillBanner says, on every page of a shift, that a drill is under
// way: nothing written now is real documentation, and the phone marks
// every record so.
func (p *page) drillBanner() app.UI {
	b := p.shift.Bundle()
	if ph := p.shift.Phase(); b == nil || (ph != shift.PhaseUnlocked && ph != shift.PhaseLocked) {
		return app.Text("")
	}
	d := b.ActiveDrill(p.shift.Clock().EffectiveNow())
	if d == nil {
		return app.Text("")
	}
	lang := p.shift.Prefs().Lang()
	return app.Div().Class("banner banner-drill").Attr("role", "status").Attr("data-testid", "drill-banner").Body(
		app.Strong().Text(p.t("drill.banner")),
		app.Span().Text(p.t("drill.banner.detail", d.Title, i18n.Time(lang, d.End.Local()))),
	)
}

// newAnnouncements shows, on every page, the coordinators' messages that
// arrived since they were last read: a status update must not wait until
// someone opens the right page.
func (p *page) newAnnouncements() app.UI {
	unseen := p.shift.UnseenAnnouncements()
	if len(unseen) == 0 {
		return app.Text("")
	}
	lang := p.shift.Prefs().Lang()
	a := unseen[0]
	class := "banner banner-info"
	if a.Level == "important" {
		class = "banner banner-important"
	}
	return app.Div().Class(class+" banner-new").Attr("role", "alert").Attr("data-testid", "new-announcement").Body(
		app.Div().Class("banner-text").Body(
			app.Strong().Text(p.t("announcements.new")+" · "+i18n.Time(lang, a.Posted.Local())+" "+a.Author),
			app.P().Text(a.Text),
		),
		app.Button().Class("btn btn-small").Attr("data-testid", "announcement-ack").Text(p.t("announcements.ack")).
			OnClick(func(ctx app.Context, e app.Event) {
				ctx.Async(func() { p.shift.MarkAnnouncementsSeen(context.Background()) })
			}),
	)
}

func (p *page) topbar(title string) app.UI {
	online, known := p.shift.Syncer().Online()
	status, class := p.t("status.online"), "pill pill-online"
	switch {
	case !known:
		status, class = p.t("status.checking"), "pill pill-unknown"
	case !online:
		status, class = p.t("status.offline"), "pill pill-offline"
	}
	phase := p.shift.Phase()
	return app.Header().Class("topbar").Body(
		app.Div().Class("topbar-row").Body(
			app.H1().Class("topbar-title").Text(title),
			app.If(p.shift.Outbox().Waiting() > 0, func() app.UI {
				return app.A().Href("/sync").Class("badge").Attr("data-testid", "sync-badge").
					Attr("aria-label", p.t("sync.badge_label", p.shift.Outbox().Waiting())).
					Body(icon("sync"), app.Span().Text(strconv.Itoa(p.shift.Outbox().Waiting())))
			}),
			app.Span().Class(class).Attr("data-testid", "net-status").Attr("role", "status").Text(status),
			p.settingsToggle(),
		),
		app.If(phase == shift.PhaseUnlocked || phase == shift.PhaseLocked, func() app.UI {
			return app.Div().Class("topbar-row topbar-sub").Body(
				app.Span().Class("time-left").Attr("data-testid", "time-left").Text(p.timeLeft()),
				app.If(phase == shift.PhaseUnlocked, func() app.UI {
					return app.Button().Class("btn-lock").Attr("data-testid", "lock").
						Attr("aria-label", p.t("lock.button_label")).
						OnClick(func(ctx app.Context, e app.Event) { p.shift.Keyring().Lock(shift.LockButton) }).
						Body(icon("lock"), app.Span().Text(p.t("lock.button")))
				}),
			)
		}),
	)
}

// timeLeft says how long the shift lasts offline and when it was fetched.
func (p *page) timeLeft() string {
	lang := p.shift.Prefs().Lang()
	left := p.shift.Clock().TimeLeft()
	refreshed := p.shift.Keyring().LastRefresh()
	s := p.t("shift.time_left", i18n.Duration(lang, left.Round(time.Minute)))
	if !refreshed.IsZero() {
		s += " · " + p.t("shift.refreshed", i18n.Time(lang, refreshed.Local()))
	}
	return s
}

func (p *page) tabbar(active string) app.UI {
	tab := func(id, href, label, glyph string) app.UI {
		class, current := "tab", ""
		if id == active {
			class, current = "tab tab-active", "page"
		}
		return app.A().Href(href).Class(class).Attr("aria-current", current).Attr("data-testid", "tab-"+id).Body(
			app.Span().Class("tab-icon").Body(icon(glyph)),
			app.Span().Class("tab-label").Text(label),
		)
	}
	return app.Nav().Class("tabbar").Attr("aria-label", p.t("nav.label")).Body(
		tab("visits", "/", p.t("nav.visits"), "list"),
		tab("unit", "/unit", p.t("nav.unit"), "unit"),
		tab("sync", "/sync", p.t("nav.sync"), "sync"),
		tab("routines", "/routines", p.t("nav.routines"), "warning"),
	)
}

// officeNote is shown to coordinators and admins on the phone pages.
func officeNote(s *shift.Shift) app.UI {
	return app.Div().Class("card").Body(
		app.P().Text(s.T("visits.no_shift_role")),
		app.A().Href("/office").Class("btn btn-primary btn-block").Attr("data-testid", "open-office").Text(s.T("office.open")),
	)
}
