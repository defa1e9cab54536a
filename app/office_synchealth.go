package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/wire"
)

// syncHealthPage is the desk's view after an outage: the phones that
// still hold records, the phones not heard from since it began, each
// with the worker to call, and who has read the important announcements.
type syncHealthPage struct {
	officePage
	unit string
	data *wire.SyncHealth
}

func (p *syncHealthPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *syncHealthPage) refresh(ctx app.Context) {
	q := url.Values{}
	if p.unit != "" {
		q.Set("unit", p.unit)
	}
	var sh wire.SyncHealth
	p.call(ctx, func(c context.Context, token string) (err error) {
		sh, err = p.shift.API().SyncHealth(c, token, q)
		return err
	}, func(ctx app.Context) { p.data = &sh })
}

// unitNames are the phone's units by name.
func (p *syncHealthPage) unitNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		name := id
		if p.dir != nil {
			for _, u := range p.dir.Units {
				if u.ID == id {
					name = u.Name
				}
			}
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// worker is the worker's name with her username, whom to call.
func worker(name, username, id string) string {
	if username == "" {
		return orID(name, id)
	}
	return orID(name, id) + " (" + username + ")"
}

func (p *syncHealthPage) when(t *time.Time, none string) string {
	if t == nil {
		return p.t(none)
	}
	return p.stamp(*t)
}

func (p *syncHealthPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("sync-health", p.t("office.title"), ui)
	}
	units := []app.UI{app.Option().Value("").Text(p.t("office.all")).Selected(p.unit == "")}
	if p.dir != nil {
		for _, u := range p.dir.Units {
			units = append(units, app.Option().Value(u.ID).Text(u.Name).Selected(p.unit == u.ID))
		}
	}
	return p.officeFrame("sync-health", p.t("synchealth.title"),
		app.P().Class("muted small").Text(p.t("synchealth.intro")),
		app.Div().Class("card filters").Body(
			app.Div().Class("filter").Body(
				app.Label().For("sh-unit").Text(p.t("office.unit")),
				app.Select().ID("sh-unit").Attr("data-testid", "sync-health-unit").Body(units...).
					OnChange(func(ctx app.Context, e app.Event) { p.unit = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
			),
		),
		app.If(p.data == nil, func() app.UI { return app.P().Class("muted").Text(p.t("app.loading")) }),
		app.If(p.data != nil, func() app.UI { return p.lists(*p.data) }),
	)
}

// outageLine says which window the lists are about.
func outageLine(t func(string, ...any) string, stamp func(time.Time) string, d wire.SyncHealth) string {
	switch {
	case d.Outage == nil:
		return t("synchealth.no_outage")
	case d.Outage.End == nil:
		return t("synchealth.outage_active", stamp(d.Outage.Start))
	default:
		return t("synchealth.outage", stamp(d.Outage.Start), stamp(*d.Outage.End))
	}
}

func (p *syncHealthPage) lists(d wire.SyncHealth) app.UI {
	return app.Div().Body(
		app.P().Attr("data-testid", "sync-health-window").Text(outageLine(p.t, p.stamp, d)),
		syncHealthTiles(p.t, d, ""),

		app.H2().ID("waiting").Text(p.t("synchealth.count.waiting")),
		app.If(len(d.Waiting) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("synchealth.none.waiting")) }),
		app.If(len(d.Waiting) > 0, func() app.UI {
			return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "sync-health-waiting").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(p.t("synchealth.col.worker")), app.Th().Text(p.t("synchealth.col.unit")),
					app.Th().Class("num").Text(p.t("synchealth.col.waiting")), app.Th().Text(p.t("synchealth.col.oldest")),
					app.Th().Text(p.t("synchealth.col.last_contact")))),
				app.TBody().Body(app.Range(d.Waiting).Slice(func(i int) app.UI {
					ph := d.Waiting[i]
					n := 0
					if ph.Waiting != nil {
						n = *ph.Waiting
					}
					return app.Tr().Attr("data-testid", "sync-health-phone").Attr("data-device", ph.DeviceID).Body(
						app.Td().Body(app.Text(worker(ph.WorkerName, ph.Username, ph.WorkerID)), p.revoked(ph)),
						app.Td().Text(p.unitNames(ph.Units)),
						app.Td().Class("num").Attr("data-testid", "sync-health-count").Text(strconv.Itoa(n)),
						app.Td().Class("nowrap").Text(p.when(ph.OldestWaiting, "synchealth.unknown")),
						app.Td().Class("nowrap").Text(p.when(ph.LastContact, "synchealth.never")))
				})),
			))
		}),

		app.H2().ID("unseen").Text(p.t("synchealth.count.unseen")),
		app.If(len(d.Unseen) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("synchealth.none.unseen")) }),
		app.If(len(d.Unseen) > 0, func() app.UI {
			return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "sync-health-unseen").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(p.t("synchealth.col.worker")), app.Th().Text(p.t("synchealth.col.unit")),
					app.Th().Text(p.t("synchealth.col.phone")), app.Th().Text(p.t("synchealth.col.last_contact")))),
				app.TBody().Body(app.Range(d.Unseen).Slice(func(i int) app.UI {
					ph := d.Unseen[i]
					return app.Tr().Attr("data-testid", "sync-health-silent").Attr("data-device", ph.DeviceID).Body(
						app.Td().Text(worker(ph.WorkerName, ph.Username, ph.WorkerID)),
						app.Td().Text(p.unitNames(ph.Units)),
						app.Td().Text(ph.DeviceLabel),
						app.Td().Class("nowrap").Text(p.when(ph.LastContact, "synchealth.never")))
				})),
			))
		}),

		app.H2().ID("announcements").Text(p.t("synchealth.announcements")),
		app.If(len(d.Announcements) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("synchealth.none.announcements")) }),
		app.Range(d.Announcements).Slice(func(i int) app.UI {
			a := d.Announcements[i]
			return app.Section().Class("card").Attr("data-testid", "sync-health-announcement").Attr("data-id", a.ID).Body(
				app.P().Class("muted small").Text(p.t("synchealth.posted", a.Author, p.stamp(a.Posted))),
				app.P().Text(a.Text),
				app.H3().Text(p.t("synchealth.read", strconv.Itoa(len(a.Read)))),
				app.Ul().Attr("data-testid", "sync-health-read").Body(app.Range(a.Read).Slice(func(j int) app.UI {
					r := a.Read[j]
					return app.Li().Text(worker(r.Name, r.Username, r.UserID) + " · " + p.when(r.At, "synchealth.unknown"))
				})),
				app.H3().Text(p.t("synchealth.unread", strconv.Itoa(len(a.Unread)))),
				app.Ul().Attr("data-testid", "sync-health-unread").Body(app.Range(a.Unread).Slice(func(j int) app.UI {
					r := a.Unread[j]
					return app.Li().Text(worker(r.Name, r.Username, r.UserID))
				})),
			)
		}),
	)
}

func (p *syncHealthPage) revoked(ph wire.PhoneHealth) app.UI {
	if ph.Revoked == nil {
		return app.Text("")
	}
	return app.Span().Class("tag").Text(p.t("synchealth.revoked"))
}

// syncHealthTiles are the sync-health counts as tiles; href, when set, is
// where each leads (the overview sends them to the page).
func syncHealthTiles(t func(string, ...any) string, d wire.SyncHealth, href string) app.UI {
	link := func(anchor string) string {
		if href == "" {
			return "#" + anchor
		}
		return href
	}
	return app.Div().Class("tiles").Body(
		tile(t("synchealth.count.waiting"), d.Counts.Waiting, link("waiting"), "sync-health-count-waiting"),
		tile(t("synchealth.count.records"), d.Counts.WaitingRecords, link("waiting"), "sync-health-count-records"),
		tile(t("synchealth.count.unseen"), d.Counts.Unseen, link("unseen"), "sync-health-count-unseen"),
		tile(t("synchealth.count.unread"), d.Counts.Unread, link("announcements"), "sync-health-count-unread"),
	)
}
