package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/wire"
)

// findingsPage lists what coordinators must look at: each finding with its
// patient and records, and a comment to mark it handled.
type findingsPage struct {
	officePage
	kind     string
	since    time.Time
	findings []wire.Finding
	comments map[string]string
	showDone bool
}

func (p *findingsPage) OnNav(ctx app.Context) {
	kind := ctx.Page().URL().Query().Get("kind")
	if kind == p.kind && p.findings != nil {
		return
	}
	p.kind = kind
	if p.loadedFor != "" {
		p.refresh(ctx)
	}
}

func (p *findingsPage) OnMount(ctx app.Context) {
	p.since = time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
	p.comments = map[string]string{}
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.refresh(ctx)
	})
}

func (p *findingsPage) refresh(ctx app.Context) {
	q := windowQuery(p.since)
	if p.kind != "" {
		q.Set("kind", p.kind)
	}
	var fr wire.FindingsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		fr, err = p.shift.API().Findings(c, token, q)
		return err
	}, func(ctx app.Context) { p.findings = fr.Findings })
}

func (p *findingsPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("findings", p.t("office.title"), ui)
	}
	var shown []wire.Finding
	for _, f := range p.findings {
		if f.Resolved == nil || p.showDone {
			shown = append(shown, f)
		}
	}
	kinds := []app.UI{app.Option().Value("").Text(p.t("office.all")).Selected(p.kind == "")}
	for _, k := range wire.FindingKinds() {
		kinds = append(kinds, app.Option().Value(k).Text(p.t("finding."+k)).Selected(p.kind == k))
	}
	return p.officeFrame("findings", p.t("office.findings"),
		app.Div().Class("card filters").Body(
			app.Div().Class("filter").Body(
				app.Label().For("since").Text(p.t("office.since")),
				app.Input().ID("since").Type("datetime-local").Value(sinceValue(p.since)).
					OnChange(func(ctx app.Context, e app.Event) {
						if t, ok := parseSince(ctx.JSSrc().Get("value").String()); ok {
							p.since = t
							p.refresh(ctx)
						}
					}),
			),
			app.Div().Class("filter").Body(
				app.Label().For("kind").Text(p.t("office.kind")),
				app.Select().ID("kind").Attr("data-testid", "filter-kind").Body(kinds...).
					OnChange(func(ctx app.Context, e app.Event) {
						ctx.Navigate("/office/findings?" + url.Values{"kind": {ctx.JSSrc().Get("value").String()}}.Encode())
					}),
			),
			app.Label().Class("inline").Body(
				app.Input().Type("checkbox").Checked(p.showDone).OnChange(func(ctx app.Context, e app.Event) {
					p.showDone = ctx.JSSrc().Get("checked").Bool()
				}),
				app.Span().Text(p.t("office.show_resolved")),
			),
		),
		app.If(len(shown) == 0 && !p.loading, func() app.UI { return app.P().Class("card").Text(p.t("office.no_findings")) }),
		app.Range(shown).Slice(func(i int) app.UI { return p.card(shown[i]) }),
	)
}

func (p *findingsPage) card(f wire.Finding) app.UI {
	id := f.ID
	return app.Section().Class("card finding").Attr("data-testid", "finding").Attr("data-kind", f.Kind).Body(
		app.Div().Class("record-head").Body(
			app.Strong().Text(p.t("finding."+f.Kind)),
			app.Span().Class("muted").Text(p.stamp(f.At)),
		),
		app.P().Text(p.t("finding.explain."+f.Kind)),
		app.If(f.PatientID != "", func() app.UI {
			return app.P().Body(app.Strong().Text(p.t("office.col.patient")+": "), app.Text(p.patientName(f.PatientID)))
		}),
		app.If(len(f.MissingSeqs) > 0, func() app.UI {
			return app.P().Text(p.t("finding.missing_seqs", joinUints(f.MissingSeqs)))
		}),
		app.P().Class("small muted").Text(f.Message),
		app.If(len(f.RecordIDs) > 0, func() app.UI {
			return app.Ul().Class("links").Body(app.Range(f.RecordIDs).Slice(func(j int) app.UI {
				return app.Li().Body(app.A().Href("/office/records/" + f.RecordIDs[j]).Text(p.t("office.open_record", j+1)))
			}))
		}),
		app.If(f.Resolved != nil, func() app.UI {
			r := f.Resolved
			return app.P().Class("banner banner-ok").Text(p.t("office.resolved_by", p.userName(r.By), p.stamp(r.At)) + ": " + r.Comment)
		}),
		app.If(f.Resolved == nil, func() app.UI {
			return app.Div().Class("form resolve").Body(
				app.Label().For("c-"+id).Text(p.t("office.resolve_comment")),
				app.Input().ID("c-"+id).Attr("data-testid", "resolve-comment").Value(p.comments[id]).
					OnInput(func(ctx app.Context, e app.Event) { p.comments[id] = ctx.JSSrc().Get("value").String() }),
				app.Button().Class("btn").Attr("data-testid", "resolve").Text(p.t("office.resolve")).Disabled(p.loading).
					OnClick(func(ctx app.Context, e app.Event) {
						comment := strings.TrimSpace(p.comments[id])
						if comment == "" {
							p.problem = p.t("office.resolve_needs_comment")
							return
						}
						p.call(ctx, func(c context.Context, token string) error {
							return p.shift.API().ResolveFinding(c, token, id, comment)
						}, func(ctx app.Context) { p.refresh(ctx) })
					}),
			)
		}),
	)
}

func joinUints(v []uint64) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ", ")
}
