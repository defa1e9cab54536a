package app

import (
	"sort"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// priorityPage on the phone: the unit's patients of the day from the
// bundle, life-critical needs first, for when visits must be cut or
// reassigned.
type phonePriorityPage struct {
	page
}

func (p *phonePriorityPage) OnMount(ctx app.Context) { p.mount(ctx) }

// PriorityOrder sorts a bundle's patients for the priority list: priority
// 1 first, then power-dependent equipment, then name.
func PriorityOrder(b *wire.Bundle) []care.Patient {
	pts := append([]care.Patient{}, b.Patients...)
	sort.SliceStable(pts, func(i, j int) bool {
		a, c := pts[i], pts[j]
		if a.Priority != c.Priority {
			return a.Priority < c.Priority
		}
		if a.PowerDependent() != c.PowerDependent() {
			return a.PowerDependent()
		}
		return a.Name < c.Name
	})
	return pts
}

func (p *phonePriorityPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("unit", p.t("app.name"), ui)
	}
	b := p.shift.Bundle()
	lang := p.shift.Prefs().Lang()
	first := map[string]care.Visit{}
	for _, v := range b.Visits {
		if f, ok := first[v.PatientID]; !ok || v.Start.Before(f.Start) {
			first[v.PatientID] = v
		}
	}
	pts := PriorityOrder(b)
	return p.frame("unit", p.t("priority.title"),
		app.A().Href("/unit").Class("back").Text("‹ "+p.t("nav.back_to_unit")),
		app.Ol().Class("priority-list").Attr("data-testid", "priority-list").Body(app.Range(pts).Slice(func(i int) app.UI {
			pt := pts[i]
			v := first[pt.ID]
			href := "/visits/" + v.ID
			return app.Li().Body(app.A().Href(href).Class("visit-link").Attr("data-testid", "priority-item").Body(
				app.Div().Class("visit-time").Body(
					app.Span().Class("tag tag-p"+itoaInt(int(pt.Priority))).Text(p.t("priority."+itoaInt(int(pt.Priority)))),
				),
				app.Div().Class("visit-main").Body(
					app.Div().Class("visit-patient").Text(pt.Name),
					app.Div().Class("visit-address muted").Text(pt.Address),
					app.If(len(priorityFlags(p.shift, pt)) > 0, func() app.UI {
						return app.Div().Class("visit-tasks").Text(strings.Join(priorityFlags(p.shift, pt), " · "))
					}),
					app.Div().Class("visit-worker").Text(i18n.Time(lang, v.Start.Local())+" · "+b.ColleagueName(v.WorkerID)),
				),
			))
		})),
	)
}
