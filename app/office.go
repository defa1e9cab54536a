package app

import (
	"context"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// officePage is embedded by the coordinators' pages: desk and tablet
// first, online only. They share the directory (names for ids) and the
// window (since when the outage is looked at).
type officePage struct {
	page
	dir       *wire.Directory
	problem   string
	loading   bool
	loader    func(ctx app.Context)
	loadedFor string
	// ctx is the page component's own context: answers are dispatched to
	// it, not to the button that was pressed, which a render in between
	// may have replaced.
	ctx    app.Context
	hasCtx bool
	// loginOutage is the identity provider's declared outage, which
	// every office page shows (issue 18).
	loginOutage wire.ProviderOutageStatus
}

// start mounts an office page and loads its data as soon as a coordinator
// is logged in: at once, or after the login form on this very page.
func (p *officePage) start(ctx app.Context, loader func(ctx app.Context)) {
	p.mount(ctx)
	p.ctx, p.hasCtx = ctx, true
	p.loader = loader
	ctx.Handle(changed, func(ctx app.Context, a app.Action) { p.maybeLoad(ctx) })
	p.maybeLoad(ctx)
}

func (p *officePage) maybeLoad(ctx app.Context) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok || token == p.loadedFor || p.loader == nil {
		return
	}
	p.loadedFor = token
	p.loadLoginOutage(ctx)
	p.loader(ctx)
}

// officeGate returns what to show instead of an office page: the login
// form, or a note for workers. ok is true for a coordinator or admin.
func (p *officePage) officeGate() (app.UI, bool) {
	if _, _, ok := p.shift.Keyring().OfficeSession(); ok {
		return nil, true
	}
	switch p.shift.Phase() {
	case shift.PhaseLoading:
		return app.P().Class("muted center").Text(p.t("app.loading")), false
	case shift.PhaseUnlocked, shift.PhaseLocked, shift.PhasePIN:
		return app.P().Class("card").Text(p.t("office.not_for_shift")), false
	}
	return &loginForm{shift: p.shift}, false
}

// officeFrame lays out an office page: the status bar, the office's own
// navigation, the content.
func (p *officePage) officeFrame(active, title string, content ...app.UI) app.UI {
	_, user, ok := p.shift.Keyring().OfficeSession()
	nav := func(id, href, label string) app.UI {
		class, current := "office-tab", ""
		if id == active {
			class, current = "office-tab office-tab-active", "page"
		}
		return app.A().Href(href).Class(class).Attr("aria-current", current).Attr("data-testid", "office-"+id).Text(label)
	}
	return app.Div().Class("shell office").Attr("data-mounted", p.mounted).Body(
		p.topbar(title),
		p.settingsPanel(),
		app.If(ok, func() app.UI {
			return app.Nav().Class("office-nav").Attr("aria-label", p.t("nav.label")).Body(
				nav("dashboard", "/office", p.t("office.dashboard")),
				nav("records", "/office/records", p.t("office.records")),
				nav("findings", "/office/findings", p.t("office.findings")),
				nav("authors", "/office/authors", p.t("office.authors")),
				nav("status", "/office/status", p.t("office.status")),
				nav("readiness", "/office/readiness", p.t("office.readiness")),
				nav("sync-health", "/office/sync-health", p.t("office.sync_health")),
				nav("drills", "/office/drills", p.t("office.drills")),
				nav("priority", "/office/priority", p.t("priority.title")),
				nav("routines", "/office/routines", p.t("routines.title")),
				nav("plan", "/office/plan", p.t("office.plan")),
				nav("audit", "/office/audit", p.t("office.audit")),
				app.If(user.Role == care.RoleAdmin, func() app.UI { return nav("users", "/office/users", p.t("admin.title")) }),
				app.Span().Class("office-user").Body(
					app.Span().Class("muted").Text(user.Name),
					app.Button().Class("btn btn-small").Attr("data-testid", "office-logout").Text(p.t("office.logout")).
						OnClick(func(ctx app.Context, e app.Event) {
							ctx.Async(func() {
								c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
								defer cancel()
								_ = p.shift.Keyring().Logout(c)
							})
						}),
				),
			)
		}),
		app.If(p.problem != "", func() app.UI {
			return app.P().Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "office-error").Text(p.problem)
		}),
		// A slot that is always there: the banner coming or going does not
		// move main to another place among its siblings (which would
		// make go-app build it anew, and lose the focus in it).
		app.Div().Class("outage-slot").Body(
			app.If(ok && p.loginOutage.Active, func() app.UI { return providerOutageBanner(p.shift, p.loginOutage) }),
		),
		app.Main().ID("main").Class("content office-content").Body(content...),
	)
}

// call runs an API request off the UI goroutine and shows its failure.
func (p *officePage) call(ctx app.Context, f func(c context.Context, token string) error, then func(ctx app.Context)) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok {
		return
	}
	if p.hasCtx {
		ctx = p.ctx
	}
	p.loading = true
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := f(c, token)
		p.shift.Syncer().Observe(err)
		ctx.Dispatch(func(ctx app.Context) {
			p.loading = false
			if err != nil {
				p.problem = p.explain(err)
				if shift.ErrorCode(err) == wire.CodeUnauthorized {
					p.shift.Keyring().EndOffice()
				}
				return
			}
			p.problem = ""
			if then != nil {
				then(ctx)
			}
		})
	})
}

// explain says what went wrong in the user's language: the server's key
// translated (ErrorText), never its English message.
func (p *officePage) explain(err error) string {
	switch shift.ErrorCode(err) {
	case "":
		return p.t("office.offline")
	case wire.CodeUnauthorized:
		return p.t("sync.needs_login")
	}
	return shift.ErrorText(p.shift.Prefs().Lang(), err)
}

// loadDirectory fetches the names once per page.
func (p *officePage) loadDirectory(ctx app.Context) {
	var d wire.Directory
	p.call(ctx, func(c context.Context, token string) (err error) {
		d, err = p.shift.API().Directory(c, token)
		return err
	}, func(ctx app.Context) { p.dir = &d })
}

func (p *officePage) userName(id string) string {
	if p.dir != nil {
		for _, u := range p.dir.Users {
			if u.ID == id {
				return u.Name
			}
		}
	}
	return id
}

// stamp is an instant as the office shows it: date and clock time in the
// browser's time zone, with the offset of that instant.
func (p *officePage) stamp(t time.Time) string {
	return localStamp(p.shift.Prefs().Lang(), t, localTime)
}

// sinceInput is the window's start as a datetime-local value.
func sinceValue(t time.Time) string { return t.Local().Format("2006-01-02T15:04") }

func parseSince(v string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02T15:04", v, time.Local)
	return t, err == nil
}

func windowQuery(since time.Time) url.Values {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339))
	}
	return q
}

// dashboardPage counts what came in and what needs looking at since the
// outage began.
type dashboardPage struct {
	officePage
	since   time.Time
	data    *wire.Dashboard
	outages *wire.OutagesResponse
	// breakGlass are the latest break-glass logins, which stand out.
	breakGlass []wire.BreakGlassUse
	// readiness counts what no phone would hold if the network died now.
	readiness *wire.Readiness
	// syncHealth counts the phones still holding records after the outage.
	syncHealth *wire.SyncHealth
}

func (p *dashboardPage) OnMount(ctx app.Context) {
	p.start(ctx, p.refresh)
}

// refresh loads the counts; without a chosen start the server uses the
// declared outage's window.
func (p *dashboardPage) refresh(ctx app.Context) {
	var d wire.Dashboard
	var o wire.OutagesResponse
	since := p.since
	p.call(ctx, func(c context.Context, token string) (err error) {
		if d, err = p.shift.API().Dashboard(c, token, windowQuery(since)); err != nil {
			return err
		}
		o, err = p.shift.API().Outages(c, token)
		return err
	}, func(ctx app.Context) {
		p.data, p.outages = &d, &o
		p.since = d.Since
	})
	p.loadBreakGlass(ctx)
	var rd wire.Readiness
	p.call(ctx, func(c context.Context, token string) (err error) {
		rd, err = p.shift.API().Readiness(c, token, url.Values{})
		return err
	}, func(ctx app.Context) { p.readiness = &rd })
	var sh wire.SyncHealth
	p.call(ctx, func(c context.Context, token string) (err error) {
		sh, err = p.shift.API().SyncHealth(c, token, url.Values{})
		return err
	}, func(ctx app.Context) { p.syncHealth = &sh })
}

func (p *dashboardPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("dashboard", p.t("office.title"), ui)
	}
	late, isLate := overdue(p.outages, time.Now())
	return p.officeFrame("dashboard", p.t("office.dashboard"),
		app.If(len(p.breakGlass) > 0, p.breakGlassCard),
		app.If(isLate, func() app.UI {
			return app.A().Href("/office/status").Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "status-overdue").
				Text(p.t("status.overdue", i18n.Duration(p.shift.Prefs().Lang(), late.Round(time.Minute))))
		}),
		app.If(p.outages != nil && p.outages.Current != nil, func() app.UI {
			return app.P().Class("banner banner-info").Text(p.t("outage.active", p.stamp(p.outages.Current.Start), p.outages.Current.StartedName))
		}),
		app.Div().Class("card form office-window").Body(
			app.Label().For("since").Text(p.t("office.since")),
			app.Input().ID("since").Type("datetime-local").Attr("data-testid", "since").Value(sinceValue(p.since)).
				OnChange(func(ctx app.Context, e app.Event) {
					if t, ok := parseSince(ctx.JSSrc().Get("value").String()); ok {
						p.since = t
						p.refresh(ctx)
					}
				}),
		),
		app.If(p.readiness != nil, func() app.UI {
			d := *p.readiness
			lang := p.shift.Prefs().Lang()
			end := localTime(d.Until)
			return app.Section().Class("card").Attr("data-testid", "overview-readiness").Body(
				app.H2().Text(p.t("readiness.overview", inSentence(lang, i18n.Weekday(lang, end)+" "+i18n.Time(lang, end)))),
				readinessTiles(p.t, d, "/office/readiness"),
				app.A().Href("/office/readiness").Attr("data-testid", "readiness-open").Text(p.t("readiness.open")),
			)
		}),
		app.If(p.syncHealth != nil, func() app.UI {
			return app.Section().Class("card").Attr("data-testid", "overview-sync-health").Body(
				app.H2().Text(p.t("synchealth.overview")),
				app.P().Class("muted small").Text(outageLine(p.t, p.stamp, *p.syncHealth)),
				syncHealthTiles(p.t, *p.syncHealth, "/office/sync-health"),
				app.A().Href("/office/sync-health").Attr("data-testid", "sync-health-open").Text(p.t("synchealth.open")),
			)
		}),
		app.If(p.data == nil, func() app.UI { return app.P().Class("muted").Text(p.t("app.loading")) }),
		app.If(p.data != nil, func() app.UI {
			d := p.data
			return app.Div().Class("tiles").Body(
				tile(p.t("office.records_in"), d.Records, "/office/records", "tile-records"),
				tile(p.t("office.state.new"), d.States["new"], "/office/records?state=new", "tile-new"),
				tile(p.t("office.state.entered"), d.States["entered"], "/office/records?state=entered", "tile-entered"),
				tile(p.t("office.state.void"), d.States["void"], "/office/records?state=void", "tile-void"),
				tile(p.t("office.state.quarantined"), d.States["quarantined"], "/office/records?state=quarantined", "tile-quarantined"),
				tile(p.t("office.open_findings"), d.Open, "/office/findings", "tile-findings"),
			)
		}),
		app.If(p.data != nil, func() app.UI {
			d := p.data
			return app.Section().Class("card").Body(
				app.H2().Text(p.t("office.findings")),
				app.Table().Class("table").Body(
					app.TBody().Body(app.Range(wire.FindingKinds()).Slice(func(i int) app.UI {
						k := wire.FindingKinds()[i]
						return app.Tr().Body(
							app.Td().Body(app.A().Href("/office/findings?kind="+k).Text(p.t("finding."+k))),
							app.Td().Class("num").Attr("data-testid", "count-"+k).Text(d.Findings[k]),
						)
					})),
				),
			)
		}),
	)
}

func tile(label string, n int, href, testid string) app.UI {
	return app.A().Href(href).Class("tile").Attr("data-testid", testid).Body(
		app.Strong().Class("tile-num").Text(n),
		app.Span().Text(label),
	)
}
