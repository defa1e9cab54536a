package app

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

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
