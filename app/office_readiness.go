package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// readinessPage is "if the network dies now": the visits no phone holds
// in a valid shift, the shifts that expire before their last visit, the
// workers who fetched no shift today, and the button that asks them to
// fetch it again.
type readinessPage struct {
	officePage
	unit   string
	until  time.Time // zero: the server's default, the end of tonight
	data   *wire.Readiness
	notice string
}

func (p *readinessPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *readinessPage) query() url.Values {
	q := url.Values{}
	if p.unit != "" {
		q.Set("unit", p.unit)
	}
	if !p.until.IsZero() {
		q.Set("until", p.until.UTC().Format(time.RFC3339))
	}
	return q
}

func (p *readinessPage) refresh(ctx app.Context) {
	var rd wire.Readiness
	q := p.query()
	p.call(ctx, func(c context.Context, token string) (err error) {
		rd, err = p.shift.API().Readiness(c, token, q)
		return err
	}, func(ctx app.Context) { p.data = &rd })
}

func (p *readinessPage) remind(ctx app.Context, e app.Event) {
	if p.data == nil {
		return
	}
	until := p.data.Until // the window the coordinator looked at
	req := wire.ReadinessRemindRequest{Unit: p.unit, Until: &until}
	var resp wire.ReadinessRemindResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		resp, err = p.shift.API().RemindReadiness(c, token, req)
		return err
	}, func(ctx app.Context) {
		switch len(resp.Workers) {
		case 0:
			p.notice = p.t("readiness.remind_nobody")
		case 1:
			p.notice = p.t("readiness.remind_done_one")
		default:
			p.notice = p.t("readiness.remind_done", strconv.Itoa(len(resp.Workers)))
		}
		p.refresh(ctx)
	})
}

// remindLabel is the reminder button's text for n workers.
func (p *readinessPage) remindLabel(n int) string {
	if n == 1 {
		return p.t("readiness.remind_one")
	}
	return p.t("readiness.remind", strconv.Itoa(n))
}

// clock is a local time with its weekday when it is not today.
func (p *readinessPage) clock(t time.Time) string {
	lang := p.shift.Prefs().Lang()
	l := localTime(t)
	if today := localTime(time.Now()); l.YearDay() != today.YearDay() || l.Year() != today.Year() {
		return i18n.Weekday(lang, l) + " " + i18n.Time(lang, l)
	}
	return i18n.Time(lang, l)
}

func (p *readinessPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("readiness", p.t("office.title"), ui)
	}
	units := []app.UI{app.Option().Value("").Text(p.t("office.all")).Selected(p.unit == "")}
	if p.dir != nil {
		for _, u := range p.dir.Units {
			units = append(units, app.Option().Value(u.ID).Text(u.Name).Selected(p.unit == u.ID))
		}
	}
	untilValue := ""
	if p.data != nil {
		untilValue = localTime(p.data.Until).Format("2006-01-02T15:04")
	}
	return p.officeFrame("readiness", p.t("readiness.title"),
		app.P().Class("muted small").Text(p.t("readiness.intro")),
		app.Div().Class("card filters").Body(
			app.Div().Class("filter").Body(
				app.Label().For("r-unit").Text(p.t("office.unit")),
				app.Select().ID("r-unit").Attr("data-testid", "readiness-unit").Body(units...).
					OnChange(func(ctx app.Context, e app.Event) { p.unit = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
			),
			app.Div().Class("filter").Body(
				app.Label().For("r-until").Text(p.t("readiness.until")),
				app.Input().ID("r-until").Type("datetime-local").Attr("data-testid", "readiness-until").Value(untilValue).
					OnChange(func(ctx app.Context, e app.Event) {
						if t, ok := parseSince(ctx.JSSrc().Get("value").String()); ok {
							p.until = t
							p.refresh(ctx)
						}
					}),
			),
		),
		app.If(p.notice != "", func() app.UI {
			return app.P().Class("banner banner-info").Attr("role", "status").Attr("data-testid", "readiness-notice").Text(p.notice)
		}),
		app.If(p.data == nil, func() app.UI { return app.P().Class("muted").Text(p.t("app.loading")) }),
		app.If(p.data != nil, func() app.UI { return p.lists(*p.data) }),
	)
}

func (p *readinessPage) lists(d wire.Readiness) app.UI {
	lang := p.shift.Prefs().Lang()
	return app.Div().Body(
		app.P().Attr("data-testid", "readiness-window").Text(p.t("readiness.window", inSentence(lang, p.clock(d.From)), inSentence(lang, p.clock(d.Until)))),
		readinessTiles(p.t, d, ""),
		app.P().Body(app.Button().ID("remind").Class("btn btn-primary").Attr("data-testid", "readiness-remind").Disabled(p.loading || d.Counts.Remind == 0).
			Text(p.remindLabel(d.Counts.Remind)).OnClick(p.remind)),

		app.H2().ID("uncovered").Text(p.t("readiness.count.uncovered")),
		app.If(len(d.Uncovered) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("readiness.none.uncovered")) }),
		app.If(len(d.Uncovered) > 0, func() app.UI {
			return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "readiness-uncovered").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(p.t("readiness.col.time")), app.Th().Text(p.t("office.col.patient")),
					app.Th().Text(p.t("readiness.col.worker")), app.Th().Text(p.t("readiness.col.expires")))),
				app.TBody().Body(app.Range(d.Uncovered).Slice(func(i int) app.UI {
					v := d.Uncovered[i]
					exp := p.t("readiness.no_shift")
					if v.ShiftExpires != nil {
						exp = p.t("readiness.expired_before", p.clock(*v.ShiftExpires))
					}
					return app.Tr().Attr("data-testid", "readiness-visit").Body(
						app.Td().Class("nowrap").Text(p.clock(v.Start)+"–"+i18n.Time(lang, localTime(v.End))),
						app.Td().Text(orID(v.PatientName, v.PatientID)), app.Td().Text(orID(v.WorkerName, v.WorkerID)), app.Td().Text(exp))
				})),
			))
		}),

		app.H2().ID("expiring").Text(p.t("readiness.count.expiring")),
		app.If(len(d.Expiring) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("readiness.none.expiring")) }),
		app.If(len(d.Expiring) > 0, func() app.UI {
			return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "readiness-expiring").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(p.t("readiness.col.worker")), app.Th().Text(p.t("readiness.col.expires")),
					app.Th().Text(p.t("readiness.col.last_end")))),
				app.TBody().Body(app.Range(d.Expiring).Slice(func(i int) app.UI {
					s := d.Expiring[i]
					return app.Tr().Attr("data-testid", "readiness-shift").Body(app.Td().Text(orID(s.WorkerName, s.WorkerID)),
						app.Td().Class("nowrap").Text(p.clock(s.ExpiresAt)), app.Td().Class("nowrap").Text(p.clock(s.LastVisitEnd)))
				})),
			))
		}),

		app.H2().ID("not-fetched").Text(p.t("readiness.count.not_fetched")),
		app.If(len(d.NotFetched) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("readiness.none.not_fetched")) }),
		app.If(len(d.NotFetched) > 0, func() app.UI {
			return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "readiness-not-fetched").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text(p.t("readiness.col.worker")), app.Th().Class("num").Text(p.t("readiness.col.visits")),
					app.Th().Text(p.t("readiness.col.first_visit")), app.Th().Text(p.t("readiness.col.last_fetch")))),
				app.TBody().Body(app.Range(d.NotFetched).Slice(func(i int) app.UI {
					w := d.NotFetched[i]
					last := p.t("readiness.never")
					if w.LastFetch != nil {
						last = p.stamp(*w.LastFetch)
					}
					return app.Tr().Attr("data-testid", "readiness-worker").Body(app.Td().Text(orID(w.WorkerName, w.WorkerID)),
						app.Td().Class("num").Text(w.Visits), app.Td().Class("nowrap").Text(p.clock(w.FirstVisit)), app.Td().Class("nowrap").Text(last))
				})),
			))
		}),
	)
}

// readinessTiles are the readiness counts as tiles; href, when set, is
// where each tile leads (the overview sends them to the readiness page).
func readinessTiles(t func(string, ...any) string, d wire.Readiness, href string) app.UI {
	link := func(anchor string) string {
		if href == "" {
			return "#" + anchor
		}
		return href
	}
	return app.Div().Class("tiles").Body(
		tile(t("readiness.count.uncovered"), d.Counts.Uncovered, link("uncovered"), "readiness-count-uncovered"),
		tile(t("readiness.count.expiring"), d.Counts.Expiring, link("expiring"), "readiness-count-expiring"),
		tile(t("readiness.count.not_fetched"), d.Counts.NotFetched, link("not-fetched"), "readiness-count-not-fetched"),
		tile(t("readiness.count.remind"), d.Counts.Remind, link("remind"), "readiness-count-remind"),
	)
}

// inSentence is a weekday-led time inside a sentence: Norwegian, Swedish
// and Danish write weekdays in lower case there (i18n.Weekday capitalises
// them for headings and the start of a cell).
func inSentence(lang, s string) string {
	if lang == "en" {
		return s
	}
	return strings.ToLower(s)
}

// orID is a name, or the id when the server had none.
func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
