package app

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/i18n"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// visitPage shows one visit: when, what to do, the doses due, and the
// patient's person card. A visit of the unit part opens only after the
// worker gives a reason (emergency access).
type visitPage struct {
	page
	id string
}

func (p *visitPage) OnNav(ctx app.Context) {
	p.id = strings.TrimPrefix(ctx.Page().URL().Path, "/visits/")
}

func (p *visitPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *visitPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("visits", p.t("app.name"), ui)
	}
	b := p.shift.Bundle()
	v, ok := b.Visit(p.id)
	if !ok {
		return p.frame("visits", p.t("visit.title"), notFound(p.shift))
	}
	pt, _ := b.Patient(v.PatientID)
	own := b.OwnPatient(pt.ID)
	active := "visits"
	if !b.Own(v) {
		active = "unit"
	}
	if !own && !p.shift.Granted(pt.ID) {
		return p.frame(active, p.t("emergency.title"), &emergencyGate{shift: p.shift, patient: pt, worker: b.ColleagueName(v.WorkerID)})
	}
	lang := p.shift.Lang()
	return p.frame(active, pt.Name,
		app.A().Href(backLink(b.Own(v))).Class("back").Text("‹ "+p.t(backLabel(b.Own(v)))),
		app.If(!own, func() app.UI {
			return app.P().Class("banner banner-important").Attr("data-testid", "emergency-active").Text(p.t("emergency.active"))
		}),
		app.Section().Class("card").Body(
			app.H2().Text(p.t("visit.heading", i18n.Time(lang, v.Start.Local()), i18n.Time(lang, v.End().Local()))),
			app.If(!b.Own(v), func() app.UI {
				return app.P().Class("muted").Text(p.t("unit.worker", b.ColleagueName(v.WorkerID)))
			}),
			app.Ul().Class("tasks").Body(
				app.Range(v.Tasks).Slice(func(i int) app.UI { return app.Li().Text(v.Tasks[i]) }),
			),
		),
		doseList(p.shift, b, v),
		personCard(p.shift, pt),
	)
}

func backLink(own bool) string {
	if own {
		return "/"
	}
	return "/unit"
}

func backLabel(own bool) string {
	if own {
		return "nav.back_to_visits"
	}
	return "nav.back_to_unit"
}

// doseList shows the medication scheduled for the visit.
func doseList(s *Shift, b *wire.Bundle, v care.Visit) app.UI {
	var doses []care.ScheduledDose
	for _, d := range b.Medications {
		if d.VisitID == v.ID {
			doses = append(doses, d)
		}
	}
	if len(doses) == 0 {
		return app.Text("")
	}
	lang := s.Lang()
	return app.Section().Class("card").Attr("data-testid", "doses").Body(
		app.H2().Text(s.T("doses.title")),
		app.Ul().Class("dose-list").Body(
			app.Range(doses).Slice(func(i int) app.UI {
				d := doses[i]
				return app.Li().Class("dose").Attr("data-testid", "dose").Body(
					app.Strong().Text(i18n.Time(lang, d.Due.Local())+" "+d.Medication),
					app.Span().Text(" "+d.Dose+" · "+d.Route),
					app.If(d.DoubleCheck, func() app.UI {
						return app.Span().Class("tag tag-vital").Text(s.T("doses.double_check"))
					}),
				)
			}),
		),
	)
}

// emergencyGate asks why the worker opens a patient who is not on their own
// list. The reason travels to the coordinator in an access record.
type emergencyGate struct {
	app.Compo
	shift   *Shift
	patient care.Patient
	worker  string
	reason  string
	busy    bool
	problem string
}

func (g *emergencyGate) Render() app.UI {
	s := g.shift
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(g.submit).Attr("data-testid", "emergency-gate").Body(
		app.H2().Text(g.patient.Name),
		app.P().Text(s.T("emergency.explain", g.worker)),
		app.Label().For("emergency-reason").Text(s.T("emergency.reason")),
		app.Textarea().ID("emergency-reason").Attr("data-testid", "emergency-reason").Attr("rows", 3).
			Required(true).Attr("maxlength", 500).Text(g.reason).OnInput(g.ValueTo(&g.reason)),
		app.If(g.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(g.problem)
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "emergency-open").
			Disabled(g.busy).Text(s.T("emergency.open")),
		app.A().Href("/unit").Class("btn btn-block").Text(s.T("emergency.cancel")),
	)
}

func (g *emergencyGate) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if g.busy {
		return
	}
	if strings.TrimSpace(g.reason) == "" {
		g.problem = g.shift.T("emergency.reason_required")
		return
	}
	g.busy, g.problem = true, ""
	reason, id := g.reason, g.patient.ID
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := g.shift.OpenEmergency(c, id, reason)
		ctx.Dispatch(func(ctx app.Context) {
			g.busy = false
			if err != nil {
				g.problem = g.shift.T("error.not_saved")
			}
		})
	})
}

func notFound(s *Shift) app.UI {
	return app.Div().Class("card").Body(
		app.P().Text(s.T("error.not_found")),
		app.A().Href("/").Class("btn").Text(s.T("nav.back_to_visits")),
	)
}

// personCard is what a worker needs at the door: address and access,
// warnings and allergies first, then equipment, people to call.
func personCard(s *Shift, pt care.Patient) app.UI {
	prio := "priority." + string(rune('0'+pt.Priority))
	return app.Section().Class("card person-card").Attr("data-testid", "person-card").Body(
		app.H2().Body(
			app.Text(pt.Name),
			app.If(pt.BirthDate != "", func() app.UI { return app.Span().Class("muted small").Text(" · " + pt.BirthDate) }),
		),
		app.If(pt.Priority.Valid(), func() app.UI {
			return app.P().Body(app.Span().Class("tag tag-p" + string(rune('0'+pt.Priority))).Text(s.T(prio)))
		}),
		app.If(len(pt.Warnings) > 0 || len(pt.Allergies) > 0, func() app.UI {
			return app.Div().Class("alert").Attr("role", "note").Body(
				app.If(len(pt.Warnings) > 0, func() app.UI {
					return app.P().Body(app.Strong().Text(s.T("card.warnings")+": "), app.Text(strings.Join(pt.Warnings, " · ")))
				}),
				app.If(len(pt.Allergies) > 0, func() app.UI {
					return app.P().Body(app.Strong().Text(s.T("card.allergies")+": "), app.Text(strings.Join(pt.Allergies, " · ")))
				}),
			)
		}),
		app.Dl().Class("facts").Body(
			fact(s.T("card.address"), app.Text(pt.Address)),
			fact(s.T("card.access"), app.Text(pt.AccessInfo)),
			app.If(len(pt.Equipment) > 0, func() app.UI {
				return fact(s.T("card.equipment"), app.Ul().Body(app.Range(pt.Equipment).Slice(func(i int) app.UI {
					e := pt.Equipment[i]
					return app.Li().Body(
						app.Text(e.Name),
						app.If(e.LifeCritical, func() app.UI { return app.Span().Class("tag tag-vital").Text(s.T("card.life_critical")) }),
						app.If(e.PowerDependent, func() app.UI { return app.Span().Class("tag tag-power").Text(s.T("card.power")) }),
						app.If(e.Note != "", func() app.UI { return app.Span().Class("muted").Text(" – " + e.Note) }),
					)
				})))
			}),
			fact(s.T("card.nurse"), contactLine(pt.ResponsibleNurse)),
			fact(s.T("card.gp"), contactLine(pt.GP)),
			app.If(len(pt.Relatives) > 0, func() app.UI {
				return fact(s.T("card.relatives"), app.Ul().Body(app.Range(pt.Relatives).Slice(func(i int) app.UI {
					return app.Li().Body(contactLine(pt.Relatives[i]))
				})))
			}),
		),
	)
}

func fact(label string, value app.UI) app.UI {
	return app.Div().Class("fact").Body(app.Dt().Text(label), app.Dd().Body(value))
}

// contactLine shows a name, what they are to the patient, and a number one
// tap calls.
func contactLine(c care.Contact) app.UI {
	label := c.Name
	if c.Relation != "" {
		label += " (" + c.Relation + ")"
	}
	return app.Span().Body(
		app.Text(label+" "),
		app.If(c.Phone != "", func() app.UI {
			return app.A().Class("phone").Href("tel:" + strings.ReplaceAll(c.Phone, " ", "")).Text(c.Phone)
		}),
	)
}
