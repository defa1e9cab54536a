package app

import (
	"context"
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/wire"
)

// auditPage shows the newest entries of the audit log.
type auditPage struct {
	officePage
	log *wire.AuditResponse
}

func (p *auditPage) OnMount(ctx app.Context) { p.start(ctx, p.load) }

func (p *auditPage) load(ctx app.Context) {
	p.loadDirectory(ctx)
	var ar wire.AuditResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		ar, err = p.shift.API().Audit(c, token, url.Values{"limit": {"300"}})
		return err
	}, func(ctx app.Context) { p.log = &ar })
}

func (p *auditPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("audit", p.t("office.title"), ui)
	}
	if p.log == nil {
		return p.officeFrame("audit", p.t("office.audit"), app.P().Class("muted").Text(p.t("app.loading")))
	}
	entries := p.log.Entries
	return p.officeFrame("audit", p.t("office.audit"),
		app.P().Class("card").Text(p.t("office.audit_hint", p.log.Head)),
		app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "audit-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text("#"), app.Th().Text(p.t("office.time")), app.Th().Text(p.t("office.who")),
				app.Th().Text(p.t("office.what")), app.Th().Text(p.t("office.detail")),
			)),
			app.TBody().Body(app.Range(entries).Slice(func(i int) app.UI {
				e := entries[len(entries)-1-i]
				return app.Tr().Attr("data-testid", "audit-row").Attr("data-action", e.Action).Attr("data-subject", e.Subject).Body(
					app.Td().Class("num").Text(e.Seq),
					app.Td().Class("nowrap").Text(p.stamp(e.Time)),
					app.Td().Text(p.userName(e.Actor)),
					app.Td().Body(app.Text(p.t("audit.action."+e.Action)), app.If(deviceAudit(e.Action) && e.Subject != "", func() app.UI {
						return app.A().Class("btn btn-small").Attr("data-testid", "audit-exposure").Href(exposurePath(e.Subject)).Text(p.t("exposure.open"))
					})),
					app.Td().Class("small").Text(e.Detail),
				)
			})),
		)),
	)
}
