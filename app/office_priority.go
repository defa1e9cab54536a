package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// priorityPage is the coordinators' priority list, with the printable
// binder.
type priorityPage struct {
	officePage
	unit     string
	day      string
	patients []wire.PriorityEntry
}

func (p *priorityPage) OnMount(ctx app.Context) {
	p.day = time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *priorityPage) refresh(ctx app.Context) {
	q := url.Values{}
	if p.unit != "" {
		q.Set("unit", p.unit)
	}
	var pr wire.PriorityResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		pr, err = p.shift.API().Priority(c, token, q)
		return err
	}, func(ctx app.Context) { p.patients = pr.Patients })
}

func (p *priorityPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("priority", p.t("office.title"), ui)
	}
	lang := p.shift.Prefs().Lang()
	units := []app.UI{app.Option().Value("").Text(p.t("office.all")).Selected(p.unit == "")}
	if p.dir != nil {
		for _, u := range p.dir.Units {
			units = append(units, app.Option().Value(u.ID).Text(u.Name).Selected(p.unit == u.ID))
		}
	}
	return p.officeFrame("priority", p.t("priority.title"),
		app.Div().Class("card filters").Body(
			app.Div().Class("filter").Body(
				app.Label().For("p-unit").Text(p.t("office.unit")),
				app.Select().ID("p-unit").Attr("data-testid", "priority-unit").Body(units...).
					OnChange(func(ctx app.Context, e app.Event) { p.unit = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
			),
			app.Div().Class("filter").Body(
				app.Label().For("p-day").Text(p.t("office.binder_day")),
				app.Input().ID("p-day").Type("date").Value(p.day).OnChange(func(ctx app.Context, e app.Event) { p.day = ctx.JSSrc().Get("value").String() }),
			),
			app.Button().Class("btn").Attr("data-testid", "binder").Disabled(p.unit == "").Text(p.t("office.binder_download")).OnClick(p.binder),
		),
		app.If(p.unit == "", func() app.UI { return app.P().Class("muted small").Text(p.t("office.binder_pick_unit")) }),
		app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "priority-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(p.t("priority.col.priority")), app.Th().Text(p.t("office.col.patient")), app.Th().Text(p.t("card.address")),
				app.Th().Text(p.t("priority.col.flags")), app.Th().Text(p.t("priority.col.first_visit")),
			)),
			app.TBody().Body(app.Range(p.patients).Slice(func(i int) app.UI {
				e := p.patients[i]
				first := ""
				if e.FirstVisit != nil {
					first = i18n.Time(lang, e.FirstVisit.Local()) + " " + e.Worker
				}
				return app.Tr().Attr("data-testid", "priority-row").Attr("data-priority", int(e.Patient.Priority)).Body(
					app.Td().Body(app.Span().Class("tag tag-p"+itoaInt(int(e.Patient.Priority))).Text(p.t("priority."+itoaInt(int(e.Patient.Priority))))),
					app.Td().Text(e.Patient.Name),
					app.Td().Text(e.Patient.Address),
					app.Td().Text(strings.Join(priorityFlags(p.shift, e.Patient), ", ")),
					app.Td().Class("nowrap").Text(first),
				)
			})),
		)),
	)
}

func (p *priorityPage) binder(ctx app.Context, e app.Event) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok || p.unit == "" {
		return
	}
	q := url.Values{"unit": {p.unit}, "date": {p.day}, "lang": {p.shift.Prefs().Lang()}}
	name := "beredskapsperm-" + p.day + ".pdf"
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err := download(c, "/api/v1/binder.pdf?"+q.Encode(), token, name)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.problem = p.t("office.offline")
			}
		})
	})
}

// priorityFlags names what makes a patient vulnerable in an outage.
func priorityFlags(s *shift.Shift, pt care.Patient) []string {
	var out []string
	for _, f := range pt.Flags() {
		out = append(out, s.T("priority.flag."+f))
	}
	return out
}
