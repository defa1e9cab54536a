package app

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/i18n"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// planPage uploads tomorrow's plan (CSV or JSON) and shows what was stored
// or, line by line, why nothing was.
type planPage struct {
	officePage
	report   *wire.PlanReport
	problems []wire.PlanProblem
	file     string
}

func (p *planPage) OnMount(ctx app.Context) { p.start(ctx, func(app.Context) {}) }

func (p *planPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("plan", p.t("office.title"), ui)
	}
	return p.officeFrame("plan", p.t("office.plan"),
		app.Section().Class("card form").Body(
			app.P().Text(p.t("plan.hint")),
			app.Label().For("plan-file").Text(p.t("plan.file")),
			app.Input().ID("plan-file").Type("file").Attr("accept", ".csv,.json,text/csv,application/json").
				Attr("data-testid", "plan-file").Disabled(p.loading).OnChange(p.upload),
			app.If(p.loading, func() app.UI { return app.P().Class("muted").Text(p.t("plan.uploading")) }),
		),
		app.If(p.report != nil, func() app.UI {
			r := p.report
			return app.P().Class("banner banner-ok").Attr("data-testid", "plan-stored").
				Text(p.t("plan.stored", p.file, r.Patients, r.Visits, r.Medications, r.Routines))
		}),
		app.If(len(p.problems) > 0, func() app.UI {
			return app.Section().Class("card").Attr("data-testid", "plan-problems").Body(
				app.H2().Text(p.t("plan.refused", len(p.problems))),
				app.Table().Class("table").Body(
					app.THead().Body(app.Tr().Body(app.Th().Text(p.t("plan.line")), app.Th().Text(p.t("plan.column")), app.Th().Text(p.t("plan.problem")))),
					app.TBody().Body(app.Range(p.problems).Slice(func(i int) app.UI {
						pr := p.problems[i]
						line := ""
						if pr.Line > 0 {
							line = itoaInt(pr.Line)
						}
						return app.Tr().Attr("data-testid", "plan-problem").Body(app.Td().Class("num").Text(line), app.Td().Text(pr.Column), app.Td().Text(PlanProblemText(p.shift.Lang(), pr)))
					})),
				),
			)
		}),
	)
}

func (p *planPage) upload(ctx app.Context, e app.Event) {
	input := ctx.JSSrc()
	p.report, p.problems = nil, nil
	var rep wire.PlanReport
	var problems []wire.PlanProblem
	var name string
	p.call(ctx, func(c context.Context, token string) error {
		n, data, err := readFile(c, input)
		if err != nil {
			return err
		}
		name = n
		ctype := "text/csv"
		if strings.HasSuffix(strings.ToLower(n), ".json") {
			ctype = "application/json"
		}
		rep, problems, err = p.shift.API().ImportPlan(c, token, ctype, data)
		if ErrorCode(err) == wire.CodeInvalidInput && len(problems) > 0 {
			return nil // shown as a list below, not as an error
		}
		return err
	}, func(ctx app.Context) {
		p.file = name
		if len(problems) > 0 {
			p.problems = problems
			return
		}
		p.report = &rep
	})
}

func itoaInt(n int) string { return strconv.Itoa(n) }

// routinesAdminPage lists the emergency routines for editing.
type routinesAdminPage struct {
	officePage
	routines []care.Routine
}

func (p *routinesAdminPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		var rr wire.RoutinesResponse
		p.call(ctx, func(c context.Context, token string) (err error) {
			rr, err = p.shift.API().Routines(c, token)
			return err
		}, func(ctx app.Context) { p.routines = rr.Routines })
	})
}

func (p *routinesAdminPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("routines", p.t("office.title"), ui)
	}
	return p.officeFrame("routines", p.t("routines.title"),
		app.A().Href("/office/routines/new").Class("btn btn-primary").Attr("data-testid", "routine-new").Text(p.t("routine.new")),
		app.Ul().Class("routine-list").Body(app.Range(p.routines).Slice(func(i int) app.UI {
			r := p.routines[i]
			return app.Li().Body(app.A().Href("/office/routines/"+r.ID).Class("routine-link").Attr("data-testid", "routine-edit").Body(
				app.Span().Class("scenario").Text(p.t("scenario."+string(r.Scenario))),
				app.Strong().Text(r.Title),
				app.Span().Class("muted small").Text(p.t("routine.version", r.Version, r.Revised)),
			))
		})),
	)
}

// routineEditor edits one routine: title, scenario, ordered steps (one
// per line), contacts, units; saving makes a new version and the old ones
// stay readable.
type routineEditor struct {
	officePage
	id       string
	r        care.Routine
	steps    string
	versions []care.Routine
	saved    bool
}

func (p *routineEditor) OnNav(ctx app.Context) {
	id := strings.TrimPrefix(ctx.Page().URL().Path, "/office/routines/")
	if id == p.id {
		return
	}
	p.id = id
	if p.loadedFor != "" {
		p.load(ctx)
	}
}

func (p *routineEditor) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.load(ctx)
	})
}

func (p *routineEditor) load(ctx app.Context) {
	p.saved = false
	if p.id == "new" || p.id == "" {
		p.r = care.Routine{Scenario: care.ScenarioOther, Contacts: []care.Contact{{}}}
		p.steps, p.versions = "", nil
		return
	}
	id := p.id
	var rr, vs wire.RoutinesResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		if rr, err = p.shift.API().Routines(c, token); err != nil {
			return err
		}
		vs, err = p.shift.API().RoutineVersions(c, token, id)
		return err
	}, func(ctx app.Context) {
		for _, r := range rr.Routines {
			if r.ID == id {
				p.r = r
				p.r.Contacts = append(p.r.Contacts, care.Contact{})
				p.steps = strings.Join(r.Steps, "\n")
			}
		}
		p.versions = vs.Routines
	})
}

func (p *routineEditor) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("routines", p.t("office.title"), ui)
	}
	scenarios := []app.UI{}
	for _, sc := range care.Scenarios() {
		scenarios = append(scenarios, app.Option().Value(string(sc)).Text(p.t("scenario."+string(sc))).Selected(p.r.Scenario == sc))
	}
	var units []care.Unit
	if p.dir != nil {
		units = p.dir.Units
	}
	return p.officeFrame("routines", p.t("routine.edit"),
		app.A().Href("/office/routines").Class("back").Text("‹ "+p.t("routines.all")),
		app.If(p.saved, func() app.UI {
			return app.P().Class("banner banner-ok").Attr("data-testid", "routine-saved").Text(p.t("routine.saved", p.r.Version))
		}),
		app.Form().Class("card form").Method("post").Action("/office/routines").OnSubmit(p.save).Body(
			app.Label().For("r-title").Text(p.t("routine.title")),
			app.Input().ID("r-title").Attr("data-testid", "routine-title").Required(true).Value(p.r.Title).OnInput(p.ValueTo(&p.r.Title)),
			app.Label().For("r-scenario").Text(p.t("routine.scenario")),
			app.Select().ID("r-scenario").Attr("data-testid", "routine-scenario").Body(scenarios...).
				OnChange(func(ctx app.Context, e app.Event) { p.r.Scenario = care.Scenario(ctx.JSSrc().Get("value").String()) }),
			app.Label().For("r-steps").Text(p.t("routine.steps")),
			app.Textarea().ID("r-steps").Attr("data-testid", "routine-steps").Attr("rows", 10).Text(p.steps).OnInput(p.ValueTo(&p.steps)),
			app.FieldSet().Class("contacts-edit").Body(
				app.Legend().Text(p.t("routines.contacts")),
				app.Range(p.r.Contacts).Slice(func(i int) app.UI {
					c := &p.r.Contacts[i]
					return app.Div().Class("row3").Body(
						app.Input().Attr("aria-label", p.t("routine.contact_name")).Attr("placeholder", p.t("routine.contact_name")).
							Attr("data-testid", "contact-name").Value(c.Name).OnInput(p.ValueTo(&c.Name)),
						app.Input().Attr("aria-label", p.t("routine.contact_role")).Attr("placeholder", p.t("routine.contact_role")).
							Value(c.Relation).OnInput(p.ValueTo(&c.Relation)),
						app.Input().Type("tel").Attr("aria-label", p.t("routine.contact_phone")).Attr("placeholder", p.t("routine.contact_phone")).
							Attr("data-testid", "contact-phone").Value(c.Phone).OnInput(p.ValueTo(&c.Phone)),
					)
				}),
				app.Button().Type("button").Class("btn btn-small").Text(p.t("routine.add_contact")).
					OnClick(func(ctx app.Context, e app.Event) { p.r.Contacts = append(p.r.Contacts, care.Contact{}) }),
			),
			app.FieldSet().Class("choices").Body(
				app.Legend().Text(p.t("routine.units")),
				app.Range(units).Slice(func(i int) app.UI {
					u := units[i]
					return app.Label().Class("choice").Body(
						app.Input().Type("checkbox").Checked(slices.Contains(p.r.Units, u.ID)).
							OnChange(func(ctx app.Context, e app.Event) {
								p.r.Units = slices.DeleteFunc(p.r.Units, func(x string) bool { return x == u.ID })
								if ctx.JSSrc().Get("checked").Bool() {
									p.r.Units = append(p.r.Units, u.ID)
								}
							}),
						app.Span().Text(u.Name),
					)
				}),
			),
			app.P().Class("muted small").Text(p.t("routine.units_hint")),
			app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "routine-save").Disabled(p.loading).
				Text(p.t("routine.save")),
		),
		app.If(len(p.versions) > 0, func() app.UI {
			return app.Section().Class("card").Attr("data-testid", "routine-versions").Body(
				app.H2().Text(p.t("routine.history")),
				app.Ol().Class("history").Body(app.Range(p.versions).Slice(func(i int) app.UI {
					v := p.versions[len(p.versions)-1-i]
					return app.Li().Body(
						app.Details().Body(
							app.Summary().Text(p.t("routine.version", v.Version, v.Revised)+" · "+v.Title),
							app.Ol().Class("steps").Body(app.Range(v.Steps).Slice(func(j int) app.UI { return app.Li().Text(v.Steps[j]) })),
						),
					)
				})),
			)
		}),
	)
}

func (p *routineEditor) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	r := p.r
	r.Steps = strings.Split(p.steps, "\n")
	// The server's rules (care.Routine.Validate), checked here first so
	// that the coordinator is told at once, in their language.
	r.Tidy()
	if err := r.Validate(); err != nil {
		p.problem = ErrorText(p.shift.Lang(), err)
		return
	}
	var saved care.Routine
	p.call(ctx, func(c context.Context, token string) (err error) {
		saved, err = p.shift.API().SaveRoutine(c, token, r)
		return err
	}, func(ctx app.Context) {
		isNew := p.id == "new"
		p.r, p.saved = saved, true
		p.r.Contacts = append(p.r.Contacts, care.Contact{})
		p.steps = strings.Join(saved.Steps, "\n")
		id := saved.ID
		if isNew {
			p.id = id // OnNav then keeps what is on the page
			ctx.Navigate("/office/routines/" + id)
		}
		var vs wire.RoutinesResponse
		p.call(ctx, func(c context.Context, token string) (err error) {
			vs, err = p.shift.API().RoutineVersions(c, token, id)
			return err
		}, func(ctx app.Context) { p.versions = vs.Routines; p.saved = true })
	})
}

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
	lang := p.shift.Lang()
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
	}, func(ctx app.Context) { p.outages, p.note = &o, "" })
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
		p.refresh(ctx)
	})
}

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
	lang := p.shift.Lang()
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
	token, _, ok := p.shift.OfficeSession()
	if !ok || p.unit == "" {
		return
	}
	q := url.Values{"unit": {p.unit}, "date": {p.day}, "lang": {p.shift.Lang()}}
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
func priorityFlags(s *Shift, pt care.Patient) []string {
	var out []string
	for _, f := range pt.Flags() {
		out = append(out, s.T("priority.flag."+f))
	}
	return out
}
