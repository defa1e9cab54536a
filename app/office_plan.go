package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
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
						return app.Tr().Attr("data-testid", "plan-problem").Body(app.Td().Class("num").Text(line), app.Td().Text(pr.Column), app.Td().Text(shift.PlanProblemText(p.shift.Prefs().Lang(), pr)))
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
		if shift.ErrorCode(err) == wire.CodeInvalidInput && len(problems) > 0 {
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
