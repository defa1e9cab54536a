package app

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// statusPage is where a coordinator declares the outage, posts the hourly
// status update, and is reminded when it is overdue.
type statusPage struct {
	officePage
	outages *wire.OutagesResponse
	anns    []care.Announcement
	level   string
	text    string
	note    string
}

func (p *statusPage) OnMount(ctx app.Context) {
	p.level = "info"
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *statusPage) refresh(ctx app.Context) {
	var o wire.OutagesResponse
	var a wire.AnnouncementsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		if o, err = p.shift.API().Outages(c, token); err != nil {
			return err
		}
		a, err = p.shift.API().Announcements(c, token)
		return err
	}, func(ctx app.Context) { p.outages, p.anns = &o, a.Announcements })
}

// overdue reports how long since the last status update while an outage is
// active, when that is more than an hour.
func overdue(o *wire.OutagesResponse, now time.Time) (time.Duration, bool) {
	if o == nil || o.Current == nil {
		return 0, false
	}
	last := o.Current.Start
	if o.LastAnnouncement != nil && o.LastAnnouncement.After(last) {
		last = *o.LastAnnouncement
	}
	d := now.Sub(last)
	return d, d > time.Hour
}

func (p *statusPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("status", p.t("office.title"), ui)
	}
	lang := p.shift.Prefs().Lang()
	var current *wire.Outage
	if p.outages != nil {
		current = p.outages.Current
	}
	late, isLate := overdue(p.outages, time.Now())
	return p.officeFrame("status", p.t("office.status"),
		app.If(isLate, func() app.UI {
			return app.P().Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "status-overdue").
				Text(p.t("status.overdue", i18n.Duration(lang, late.Round(time.Minute))))
		}),
		app.Section().Class("card form").Attr("data-testid", "outage").Body(
			app.H2().Text(p.t("outage.title")),
			app.If(current != nil, func() app.UI {
				return app.P().Attr("data-testid", "outage-active").Text(p.t("outage.active", p.stamp(current.Start), current.StartedName))
			}),
			app.If(current == nil, func() app.UI { return app.P().Text(p.t("outage.none")) }),
			app.Label().For("outage-note").Text(p.t("outage.note")),
			app.Input().ID("outage-note").Value(p.note).OnInput(p.ValueTo(&p.note)),
			app.If(current == nil, func() app.UI {
				return app.Button().Class("btn btn-primary btn-block").Attr("data-testid", "outage-start").Disabled(p.loading).
					Text(p.t("outage.start")).OnClick(func(ctx app.Context, e app.Event) { p.outage(ctx, "start") })
			}),
			app.If(current != nil, func() app.UI {
				return app.Button().Class("btn btn-block").Attr("data-testid", "outage-end").Disabled(p.loading).
					Text(p.t("outage.end")).OnClick(func(ctx app.Context, e app.Event) { p.outage(ctx, "end") })
			}),
		),
		app.Form().Class("card form").Method("post").Action("/office/status").OnSubmit(p.post).Body(
			app.H2().Text(p.t("status.post_title")),
			app.FieldSet().Class("choices").Body(
				app.Legend().Text(p.t("status.level")),
				app.Range([]string{"info", "important"}).Slice(func(i int) app.UI {
					lv := []string{"info", "important"}[i]
					return app.Label().Class("choice").Body(
						app.Input().Type("radio").Name("level").Value(lv).Checked(p.level == lv).Attr("data-testid", "level-"+lv).
							OnChange(func(ctx app.Context, e app.Event) { p.level = lv }),
						app.Span().Text(p.t("status.level."+lv)),
					)
				}),
			),
			app.Label().For("ann-text").Text(p.t("status.text")),
			app.Textarea().ID("ann-text").Attr("data-testid", "announcement-text").Attr("rows", 3).Text(p.text).OnInput(p.ValueTo(&p.text)),
			app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "announcement-post").Disabled(p.loading).
				Text(p.t("status.post")),
		),
		app.Section().Class("card").Body(
			app.H2().Text(p.t("announcements.title")),
			app.Range(p.anns).Slice(func(i int) app.UI {
				a := p.anns[len(p.anns)-1-i]
				class := "banner banner-info"
				if a.Level == "important" {
					class = "banner banner-important"
				}
				return app.Div().Class(class).Attr("data-testid", "office-announcement").Body(
					app.Strong().Text(p.stamp(a.Posted)+" "+a.Author+": "), app.Span().Text(a.Text))
			}),
		),
	)
}

func (p *statusPage) outage(ctx app.Context, action string) {
	req := wire.OutageRequest{Action: action, Note: strings.TrimSpace(p.note)}
	var o wire.OutagesResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		o, err = p.shift.API().ChangeOutage(c, token, req)
		return err
	}, func(ctx app.Context) {
		p.outages, p.note = &o, ""
		setFieldValue("outage-note", "")
	})
}

func (p *statusPage) post(ctx app.Context, e app.Event) {
	e.PreventDefault()
	text := strings.TrimSpace(p.text)
	if text == "" {
		p.problem = p.t("note.empty")
		return
	}
	req := wire.AnnouncementRequest{Level: p.level, Text: text}
	p.call(ctx, func(c context.Context, token string) error {
		_, err := p.shift.API().PostAnnouncement(c, token, req)
		return err
	}, func(ctx app.Context) {
		p.text = ""
		setFieldValue("ann-text", "")
		p.refresh(ctx)
	})
}
