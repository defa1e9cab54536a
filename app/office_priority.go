package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// priorityPage is the coordinators' priority list, with the desk's print
// choices: the binder for one day or a range (before weekends and holidays
// the routines ask for every day on paper) and the weekly equipment list.
type priorityPage struct {
	officePage
	unit     string
	span     string // one of the printSpans
	from, to string // YYYY-MM-DD, for printCustom
	week     string // YYYY-Www
	patients []wire.PriorityEntry
}

// The desk's choices of days to print.
const (
	printToday    = "today"
	printTomorrow = "tomorrow" // today and tomorrow
	printWeekend  = "weekend"  // today until the coming Monday
	printCustom   = "custom"
)

// PrintRange turns a choice of days into the binder's from and to
// (YYYY-MM-DD) on the calendar of today; for printCustom it returns from
// and to as given. "Until Monday" runs to the first Monday after today:
// on a Friday that is the weekend and Monday, four days.
func PrintRange(choice string, today time.Time, from, to string) (string, string) {
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	switch choice {
	case printTomorrow:
		return day(0), day(1)
	case printWeekend:
		ahead := (int(time.Monday) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return day(0), day(ahead)
	case printCustom:
		return from, to
	default:
		return day(0), day(0)
	}
}

// ISOWeek names the ISO week of t, as an input of type week holds it.
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func (p *priorityPage) OnMount(ctx app.Context) {
	now := localTime(time.Now())
	p.span = printToday
	p.from, p.to = PrintRange(printTomorrow, now, "", "")
	p.week = ISOWeek(now)
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
	// With several days chosen for printing, the list shows each day's
	// first visit, as the printed binder has them day by day.
	if from, to := PrintRange(p.span, localTime(time.Now()), p.from, p.to); from != to {
		q.Set("from", from)
		q.Set("to", to)
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
				app.Label().For("p-span").Text(p.t("office.print_range")),
				app.Select().ID("p-span").Attr("data-testid", "print-span").Body(
					app.Option().Value(printToday).Text(p.t("office.print_today")).Selected(p.span == printToday),
					app.Option().Value(printTomorrow).Text(p.t("office.print_tomorrow")).Selected(p.span == printTomorrow),
					app.Option().Value(printWeekend).Text(p.t("office.print_weekend")).Selected(p.span == printWeekend),
					app.Option().Value(printCustom).Text(p.t("office.print_custom")).Selected(p.span == printCustom),
				).OnChange(func(ctx app.Context, e app.Event) { p.span = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
			),
			app.If(p.span == printCustom, func() app.UI {
				return app.Div().Class("filter").Body(
					app.Label().For("p-from").Text(p.t("office.print_from")),
					app.Input().ID("p-from").Type("date").Attr("data-testid", "print-from").Value(p.from).
						OnChange(func(ctx app.Context, e app.Event) { p.from = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
				)
			}),
			app.If(p.span == printCustom, func() app.UI {
				return app.Div().Class("filter").Body(
					app.Label().For("p-to").Text(p.t("office.print_to")),
					app.Input().ID("p-to").Type("date").Attr("data-testid", "print-to").Value(p.to).
						OnChange(func(ctx app.Context, e app.Event) { p.to = ctx.JSSrc().Get("value").String(); p.refresh(ctx) }),
				)
			}),
			app.Button().Class("btn").Attr("data-testid", "binder").Disabled(p.unit == "").Text(p.t("office.binder_download")).OnClick(p.binder),
		),
		app.Div().Class("card filters").Body(
			app.Div().Class("filter").Body(
				app.Label().For("p-week").Text(p.t("office.equipment_week")),
				app.Input().ID("p-week").Type("week").Attr("data-testid", "equipment-week").Value(p.week).
					OnChange(func(ctx app.Context, e app.Event) { p.week = ctx.JSSrc().Get("value").String() }),
			),
			app.Button().Class("btn").Attr("data-testid", "equipment-list").Text(p.t("office.equipment_download")).OnClick(p.equipment),
		),
		app.If(p.unit == "", func() app.UI { return app.P().Class("muted small").Text(p.t("office.binder_pick_unit")) }),
		app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "priority-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(p.t("priority.col.priority")), app.Th().Text(p.t("office.col.patient")), app.Th().Text(p.t("card.address")),
				app.Th().Text(p.t("priority.col.flags")),
				app.If(len(p.days()) == 0, func() app.UI { return app.Th().Text(p.t("priority.col.first_visit")) }),
				app.Range(p.days()).Slice(func(i int) app.UI { return app.Th().Class("nowrap").Text(p.dayHeading(p.days()[i])) }),
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
					app.If(len(e.Days) == 0, func() app.UI { return app.Td().Class("nowrap").Text(first) }),
					app.Range(e.Days).Slice(func(i int) app.UI {
						d, text := e.Days[i], ""
						if d.FirstVisit != nil {
							text = i18n.Time(lang, localTime(*d.FirstVisit)) + " " + d.Worker
						}
						return app.Td().Class("nowrap").Attr("data-testid", "priority-day").Text(text)
					}),
				)
			})),
		)),
	)
}

// days are the dates of the range the list was fetched for, none for one
// day.
func (p *priorityPage) days() []string {
	if len(p.patients) == 0 {
		return nil
	}
	var ds []string
	for _, d := range p.patients[0].Days {
		ds = append(ds, d.Date)
	}
	return ds
}

// dayHeading is a range's column heading: weekday and date.
func (p *priorityPage) dayHeading(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	lang := p.shift.Prefs().Lang()
	return i18n.Weekday(lang, t) + " " + i18n.Date(lang, t)
}

func (p *priorityPage) binder(ctx app.Context, e app.Event) {
	if p.unit == "" {
		return
	}
	from, to := PrintRange(p.span, localTime(time.Now()), p.from, p.to)
	q := url.Values{"unit": {p.unit}, "from": {from}, "to": {to}, "lang": {p.shift.Prefs().Lang()}}
	name := "beredskapsperm-" + from
	if to != from {
		name += "_" + to
	}
	p.print(ctx, "/api/v1/binder.pdf?"+q.Encode(), name+".pdf")
}

func (p *priorityPage) equipment(ctx app.Context, e app.Event) {
	q := url.Values{"week": {p.week}, "lang": {p.shift.Prefs().Lang()}}
	if p.unit != "" {
		q.Set("unit", p.unit)
	}
	p.print(ctx, "/api/v1/equipment.pdf?"+q.Encode(), "utstyrsliste-"+p.week+".pdf")
}

// print downloads a printout; the server's refusal (a range that runs
// backwards or is too long, a malformed week) is shown in the user's
// language.
func (p *priorityPage) print(ctx app.Context, path, name string) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok {
		return
	}
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err := download(c, path, token, name)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.problem = p.explain(err)
			} else {
				p.problem = ""
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
