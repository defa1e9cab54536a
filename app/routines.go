package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
)

// routinesPage lists the emergency routines, and shows one when the path
// names it. Routines are readable without logging in or unlocking: they
// are what a worker needs first when everything else fails.
type routinesPage struct {
	page
	id string
}

func (p *routinesPage) OnNav(ctx app.Context) {
	p.id = strings.TrimPrefix(strings.TrimPrefix(ctx.Page().URL().Path, "/routines"), "/")
}

func (p *routinesPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *routinesPage) Render() app.UI {
	routines := p.shift.Routines()
	if p.id != "" {
		for _, r := range routines {
			if r.ID == p.id {
				return p.frame("routines", p.t("routines.title"), routineDetail(p.shift, r))
			}
		}
	}
	return p.frame("routines", p.t("routines.title"),
		announcementList(p.shift),
		app.If(len(routines) == 0, func() app.UI {
			if p.shift.Phase() == shift.PhaseLoading {
				return app.P().Class("muted").Text(p.t("app.loading"))
			}
			return app.P().Class("card").Text(p.t("routines.none"))
		}),
		app.Ul().Class("routine-list").Attr("data-testid", "routines").Body(
			app.Range(routines).Slice(func(i int) app.UI {
				r := routines[i]
				return app.Li().Body(
					app.A().Href("/routines/"+r.ID).Class("routine-link").Attr("data-testid", "routine").Body(
						app.Span().Class("scenario").Text(p.t("scenario."+string(r.Scenario))),
						app.Strong().Text(r.Title),
					),
				)
			}),
		),
	)
}

func routineDetail(s *shift.Shift, r care.Routine) app.UI {
	return app.Article().Class("card routine").Attr("data-testid", "routine-detail").Body(
		app.A().Href("/routines").Class("back").Text("‹ "+s.T("routines.all")),
		app.P().Class("scenario").Text(s.T("scenario."+string(r.Scenario))),
		app.H2().Text(r.Title),
		app.Ol().Class("steps").Body(
			app.Range(r.Steps).Slice(func(i int) app.UI { return app.Li().Text(r.Steps[i]) }),
		),
		app.If(len(r.Contacts) > 0, func() app.UI {
			return app.Div().Body(
				app.H3().Text(s.T("routines.contacts")),
				app.Ul().Class("contacts").Body(
					app.Range(r.Contacts).Slice(func(i int) app.UI { return app.Li().Body(contactLine(r.Contacts[i])) }),
				),
			)
		}),
		app.P().Class("muted small").Text(s.T("routines.revised", r.Revised)),
	)
}
