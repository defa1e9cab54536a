package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// drillsPage lists the drills of the coordinator's units and starts a
// new one (issue 19, item 2); drillPage is one drill: its state, the
// network-back and end buttons, its report and its records, kept apart
// from the real ones.
type drillsPage struct {
	officePage
	// id is the drill shown, from the path; empty on the list.
	id       string
	report   *wire.DrillReport
	records  *wire.RecordsResponse
	drills   *wire.DrillsResponse
	title    string
	scenario string
	units    []string
	from     string // datetime-local; empty: now
	end      string
}

// One page type serves the list and each drill: a page type of its own
// costs the phone's wasm more than the branch.
func (p *drillsPage) OnNav(ctx app.Context) {
	id := strings.TrimPrefix(strings.TrimPrefix(ctx.Page().URL().Path, "/office/drills"), "/")
	if id == p.id && (p.report != nil || p.drills != nil) {
		return
	}
	p.id, p.report, p.records = id, nil, nil
	if p.loadedFor != "" {
		p.refresh(ctx)
	}
}

func (p *drillsPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *drillsPage) refresh(ctx app.Context) {
	if p.id != "" {
		p.load(ctx)
		return
	}
	var out wire.DrillsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		out, err = p.shift.API().Drills(c, token)
		return err
	}, func(ctx app.Context) { p.drills = &out })
}

func (p *drillsPage) create(ctx app.Context, e app.Event) {
	e.PreventDefault()
	req := wire.DrillRequest{Units: slices.Clone(p.units), Title: p.title, Scenario: p.scenario}
	if t, ok := parseSince(p.from); ok {
		req.Start = &t
	}
	if t, ok := parseSince(p.end); ok {
		req.End = t
	}
	var d wire.Drill
	p.call(ctx, func(c context.Context, token string) (err error) {
		d, err = p.shift.API().StartDrill(c, token, req)
		return err
	}, func(ctx app.Context) {
		p.title, p.scenario, p.from, p.end, p.units = "", "", "", "", nil
		ctx.Navigate("/office/drills/" + d.ID)
	})
}

func (p *drillsPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("drills", p.t("office.title"), ui)
	}
	if p.id != "" {
		return p.drill()
	}
	var units []app.UI
	if p.dir != nil {
		for _, u := range p.dir.Units {
			id := u.ID
			units = append(units, app.Label().Class("check").Body(
				app.Input().Type("checkbox").Attr("data-testid", "drill-unit").Value(id).Checked(slices.Contains(p.units, id)).
					OnChange(func(ctx app.Context, e app.Event) {
						if ctx.JSSrc().Get("checked").Bool() {
							p.units = append(p.units, id)
						} else {
							p.units = slices.DeleteFunc(p.units, func(s string) bool { return s == id })
						}
					}),
				app.Span().Text(" "+u.Name)))
		}
	}
	field := func(id, label string, in app.UI) app.UI {
		return app.Div().Class("filter").Body(app.Label().For(id).Text(label), in)
	}
	return p.officeFrame("drills", p.t("office.drills"),
		app.P().Class("muted small").Text(p.t("drill.intro")),
		app.Form().Class("card").Attr("data-testid", "drill-form").OnSubmit(p.create).Body(
			app.H2().Text(p.t("drill.new")),
			field("d-title", p.t("drill.title"), app.Input().ID("d-title").Attr("data-testid", "drill-title").Value(p.title).
				OnInput(func(ctx app.Context, e app.Event) { p.title = ctx.JSSrc().Get("value").String() })),
			field("d-scenario", p.t("drill.scenario"), app.Textarea().ID("d-scenario").Attr("data-testid", "drill-scenario").Text(p.scenario).
				OnInput(func(ctx app.Context, e app.Event) { p.scenario = ctx.JSSrc().Get("value").String() })),
			app.FieldSet().Body(app.Legend().Text(p.t("drill.units")), app.Div().Body(units...)),
			app.Div().Class("filters").Body(
				field("d-start", p.t("drill.start"), app.Input().ID("d-start").Type("datetime-local").Attr("data-testid", "drill-start").Value(p.from).
					OnChange(func(ctx app.Context, e app.Event) { p.from = ctx.JSSrc().Get("value").String() })),
				field("d-end", p.t("drill.end"), app.Input().ID("d-end").Type("datetime-local").Attr("data-testid", "drill-end").Value(p.end).
					OnChange(func(ctx app.Context, e app.Event) { p.end = ctx.JSSrc().Get("value").String() })),
			),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "drill-create").Disabled(p.loading).Text(p.t("drill.create")),
		),
		app.If(p.drills == nil, func() app.UI { return app.P().Class("muted").Text(p.t("app.loading")) }),
		app.If(p.drills != nil && len(p.drills.Drills) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("drill.none")) }),
		app.If(p.drills != nil && len(p.drills.Drills) > 0, func() app.UI {
			var rows []app.UI
			for _, d := range p.drills.Drills {
				rows = append(rows, drillRow("drill-row", app.Td().Body(app.A().Href("/office/drills/"+d.ID).Text(d.Title)),
					drillTD(p.stamp(d.Start)+" – "+p.stamp(d.End)), drillTD(p.t(drillState(d))), drillTD(strconv.Itoa(d.Records))))
			}
			return drillTable("drills", []string{p.t("drill.title"), p.t("drill.window"), p.t("office.col.state"), p.t("drill.records")}, rows)
		}),
	)
}

// drillTable, drillRow and drillTD are the drill pages' plain tables.
func drillTable(testid string, heads []string, rows []app.UI) app.UI {
	var th []app.UI
	for _, h := range heads {
		th = append(th, app.Th().Text(h))
	}
	return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", testid).Body(
		app.THead().Body(app.Tr().Body(th...)), app.TBody().Body(rows...)))
}

func drillRow(testid string, cells ...app.UI) app.UI {
	return app.Tr().Attr("data-testid", testid).Body(cells...)
}

func drillTD(s string) app.UI { return app.Td().Text(s) }

// drillState is the catalogue key of a drill's state now.
func drillState(d wire.Drill) string {
	now := time.Now()
	switch {
	case d.ActiveAt(now):
		return "drill.state.active"
	case now.Before(d.Start):
		return "drill.state.upcoming"
	}
	return "drill.state.over"
}

func (p *drillsPage) load(ctx app.Context) {
	id := p.id
	var rep wire.DrillReport
	var recs wire.RecordsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		if rep, err = p.shift.API().DrillReport(c, token, id); err != nil {
			return err
		}
		recs, err = p.shift.API().Records(c, token, map[string][]string{"drill": {id}, "limit": {"500"}})
		return err
	}, func(ctx app.Context) { p.report, p.records = &rep, &recs })
}

func (p *drillsPage) change(action string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		id := p.id
		p.call(ctx, func(c context.Context, token string) error {
			_, err := p.shift.API().ChangeDrill(c, token, id, action)
			return err
		}, func(ctx app.Context) { p.load(ctx) })
	}
}

func (p *drillsPage) print(ctx app.Context, e app.Event) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok {
		return
	}
	path := "/api/v1/drills/" + p.id + "/report.pdf?lang=" + p.shift.Prefs().Lang()
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err := download(c, path, token, "drill.pdf")
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.problem = p.explain(err)
			}
		})
	})
}

// drill is one drill's page: its state and buttons, its report, its
// records.
func (p *drillsPage) drill() app.UI {
	if p.report == nil {
		return p.officeFrame("drills", p.t("drill.report.title"), app.P().Class("muted").Text(p.t("app.loading")))
	}
	rep, d := *p.report, p.report.Drill
	lang := p.shift.Prefs().Lang()
	fact := func(label, value string) app.UI {
		return app.P().Body(app.Strong().Text(label+": "), app.Span().Text(value))
	}
	back := p.t("drill.network_back.none")
	if d.NetworkBack != nil {
		back = p.stamp(*d.NetworkBack)
	}
	active := d.ActiveAt(time.Now())
	names := namesOf(p.dir)
	var findings []app.UI
	for _, f := range rep.Findings {
		text, _ := findingText(lang, f, names, localTime)
		findings = append(findings, app.Li().Text(text))
	}
	return p.officeFrame("drills", p.t("drill.report.title")+": "+d.Title,
		app.Div().Class("banner banner-drill").Text(p.t("drill.banner")),
		app.Section().Class("card").Attr("data-testid", "drill-facts").Body(
			fact(p.t("drill.window"), p.stamp(d.Start)+" – "+p.stamp(d.End)),
			fact(p.t("office.col.state"), p.t(drillState(d))),
			fact(p.t("drill.started_by"), orID(d.StartedName, d.StartedBy)),
			app.P().Attr("data-testid", "drill-network-back").Body(app.Strong().Text(p.t("drill.network_back")+": "), app.Span().Text(back)),
			app.If(d.Scenario != "", func() app.UI { return fact(p.t("drill.scenario"), d.Scenario) }),
			app.If(active, func() app.UI {
				return app.P().Body(
					app.If(d.NetworkBack == nil, func() app.UI {
						return app.Button().Class("btn btn-primary").Attr("data-testid", "drill-mark-back").Disabled(p.loading).
							Text(p.t("drill.mark_back")).OnClick(p.change("network-back"))
					}),
					app.Button().Class("btn").Attr("data-testid", "drill-end").Disabled(p.loading).Text(p.t("drill.end_now")).OnClick(p.change("end")),
				)
			}),
			app.Button().Class("btn").Attr("data-testid", "drill-pdf").Text(p.t("drill.report.pdf")).OnClick(p.print),
		),
		app.H2().Text(p.t("drill.report.participants")),
		app.If(len(rep.Participants) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("drill.report.nobody")) }),
		app.If(len(rep.Participants) > 0, func() app.UI {
			var rows []app.UI
			for _, w := range rep.Participants {
				held := p.t("drill.report.no")
				if w.Held {
					held = p.t("drill.report.yes")
				}
				rows = append(rows, drillRow("drill-participant", drillTD(orID(w.Name, w.UserID)), drillTD(held), drillTD(strconv.Itoa(w.Records))))
			}
			return drillTable("drill-participants", []string{p.t("drill.report.worker"), p.t("drill.report.held"), p.t("drill.report.records")}, rows)
		}),
		app.H2().Text(p.t("drill.report.sync")),
		app.If(d.NetworkBack != nil && len(rep.Phones) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("drill.report.no_phones")) }),
		app.If(len(rep.Phones) > 0, func() app.UI {
			var rows []app.UI
			for _, ph := range rep.Phones {
				rows = append(rows, drillRow("drill-phone", drillTD(orID(ph.Name, ph.UserID)), drillTD(strconv.Itoa(ph.Records)),
					drillTD(i18n.Duration(lang, time.Duration(ph.FirstSeconds)*time.Second)), drillTD(i18n.Duration(lang, time.Duration(ph.LastSeconds)*time.Second))))
			}
			return drillTable("drill-phones", []string{p.t("drill.report.worker"), p.t("drill.report.records"), p.t("drill.report.first"), p.t("drill.report.last")}, rows)
		}),
		app.H2().Text(p.t("drill.report.findings", strconv.Itoa(len(rep.Findings)))),
		app.Ul().Attr("data-testid", "drill-findings").Body(findings...),
		app.H2().Text(p.t("drill.records")),
		app.If(p.records != nil && len(p.records.Records) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("drill.records.none")) }),
		app.If(p.records != nil && len(p.records.Records) > 0, func() app.UI {
			var rows []app.UI
			for _, r := range p.records.Records {
				rows = append(rows, drillRow("drill-record", app.Td().Body(app.A().Href("/office/records/"+r.ID).Text(p.t("record.type."+r.Type))),
					drillTD(orID(r.PatientName, r.PatientID)), drillTD(orID(r.AuthorName, r.AuthorID)), drillTD(p.stamp(r.Received))))
			}
			return drillTable("drill-records", []string{p.t("office.col.type"), p.t("office.col.patient"), p.t("drill.report.worker"), p.t("office.col.received")}, rows)
		}),
	)
}
