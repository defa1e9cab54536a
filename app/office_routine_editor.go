package app

import (
	"context"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

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
		p.problem = shift.ErrorText(p.shift.Prefs().Lang(), err)
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
