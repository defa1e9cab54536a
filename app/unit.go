package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// unitPage lists the unit's other visits today: the unit part of the
// bundle. During an outage visits are reassigned by phone, so every card
// of the unit is on the phone, but opening one is emergency access.
type unitPage struct {
	page
}

func (p *unitPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *unitPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("unit", p.t("app.name"), ui)
	}
	b := p.shift.Bundle()
	lang := p.shift.Prefs().Lang()
	others := UnitVisits(b)
	return p.frame("unit", p.t("unit.title"),
		app.P().Class("banner banner-info").Text(p.t("unit.hint")),
		app.A().Href("/priority").Class("btn btn-block").Attr("data-testid", "priority-link").Text(p.t("priority.title")),
		app.A().Href("/cosign").Class("btn btn-block").Attr("data-testid", "cosign-link").Text(p.t("cosign.title")),
		app.If(len(others) == 0, func() app.UI { return app.P().Class("card").Text(p.t("unit.none")) }),
		app.Ol().Class("visit-list").Attr("data-testid", "unit-list").Body(
			app.Range(others).Slice(func(i int) app.UI {
				v := others[i]
				pt, _ := b.Patient(v.PatientID)
				return visitRow(lang, v, pt, b.ColleagueName(v.WorkerID), "unit-visit")
			}),
		),
	)
}
