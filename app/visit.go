package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/i18n"
	"beredskap/internal/care"
)

// visitPage shows one visit: when, what to do, and the patient's person
// card.
type visitPage struct {
	page
	id string
}

func (p *visitPage) OnNav(ctx app.Context) {
	p.id = strings.TrimPrefix(ctx.Page().URL().Path, "/visits/")
}

func (p *visitPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *visitPage) Render() app.UI {
	b := p.shift.Bundle()
	if b == nil {
		return (&visitsPage{page: p.page}).Render()
	}
	v, ok := b.Visit(p.id)
	if !ok {
		return p.frame("visits", p.t("visit.title"), notFound(p.shift))
	}
	pt, _ := b.Patient(v.PatientID)
	lang := p.shift.Lang()
	start := v.Start.Local()
	return p.frame("visits", pt.Name,
		app.A().Href("/").Class("back").Text("‹ "+p.t("nav.back_to_visits")),
		app.Section().Class("card").Body(
			app.H2().Text(p.t("visit.heading", i18n.Time(lang, start), i18n.Time(lang, v.End().Local()))),
			app.Ul().Class("tasks").Body(
				app.Range(v.Tasks).Slice(func(i int) app.UI { return app.Li().Text(v.Tasks[i]) }),
			),
		),
		personCard(p.shift, pt),
	)
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
	return app.Section().Class("card person-card").Attr("data-testid", "person-card").Body(
		app.H2().Body(
			app.Text(pt.Name),
			app.If(pt.BirthDate != "", func() app.UI { return app.Span().Class("muted small").Text(" · " + pt.BirthDate) }),
		),
		app.If(pt.Priority.Valid(), func() app.UI {
			return app.P().Body(app.Span().Class("tag tag-p" + string(rune('0'+pt.Priority))).Text(s.T("priority." + string(rune('0'+pt.Priority)))))
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
