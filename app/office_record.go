package app

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// recordPage shows one record whole: what the device signed (with the
// handwritten signature drawn from its SVG path), the device, device time
// against received time, and the record's history; and marks it entered
// or void.
type recordPage struct {
	officePage
	id       string
	rec      *wire.RecordView
	ehrRef   string
	byAuthor bool
	reason   string
	voiding  bool
}

func (p *recordPage) OnNav(ctx app.Context) {
	id := strings.TrimPrefix(ctx.Page().URL().Path, "/office/records/")
	if id == p.id {
		return
	}
	p.id = id
	p.rec, p.voiding, p.reason, p.ehrRef = nil, false, "", ""
	if p.loadedFor != "" {
		p.load(ctx)
	}
}

func (p *recordPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.load(ctx)
	})
}

func (p *recordPage) load(ctx app.Context) {
	var v wire.RecordView
	id := p.id
	p.call(ctx, func(c context.Context, token string) (err error) {
		v, err = p.shift.API().Record(c, token, id)
		return err
	}, func(ctx app.Context) {
		p.rec = &v
		p.byAuthor = true
	})
}

func (p *recordPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("records", p.t("office.title"), ui)
	}
	if p.rec == nil {
		return p.officeFrame("records", p.t("office.record"), app.P().Class("muted").Text(p.t("app.loading")))
	}
	v := p.rec
	r := v.Record
	lang := p.shift.Prefs().Lang()
	fields := []app.UI{
		fact(p.t("office.col.type"), app.Text(p.t("record.type."+v.Type))),
		fact(p.t("office.col.patient"), app.Text(v.PatientName)),
		fact(p.t("office.col.author"), app.Text(v.AuthorName)),
	}
	add := func(key, value string) {
		if value != "" {
			fields = append(fields, fact(p.t(key), app.Text(value)))
		}
	}
	if r != nil {
		add("note.title", r.Text)
		add("dose.medication", r.Medication)
		add("dose.amount", r.Dose)
		add("dose.route", r.Route)
		if r.Type == care.RecordMedication {
			add("dose.status", p.t("dose.status."+r.Status))
		}
		if r.Type == care.RecordVisitStatus {
			add("office.visit_status", p.t("visit.status."+r.Status))
		}
		add("dose.reason", r.Reason)
		if r.AdministeredAt != nil {
			add("office.administered_at", p.stamp(*r.AdministeredAt))
		}
		if r.Category != "" {
			add("deviation.category", p.t("deviation.category."+r.Category))
			add("deviation.severity", p.t("deviation.severity."+r.Severity))
		}
		add("deviation.description", r.Description)
		add("deviation.action", r.ActionTaken)
		add("office.emergency_reason", r.EmergencyReason)
		add("dose.cosigner", r.CosignerName)
		add("prn.fact.indication", r.Indication)
		add("prn.fact.override", r.OverrideReason)
		if r.Type == care.RecordPRNEffect {
			add("prn.fact.effect", p.t("prn.effect."+r.Effect))
			if r.At != nil {
				add("prn.fact.evaluated_at", p.stamp(*r.At))
			}
			fields = append(fields, fact(p.t("prn.fact.administration"),
				app.A().Href("/office/records/"+r.AdministrationID).Attr("data-testid", "prn-administration").Text(p.t("prn.fact.open"))))
		}
		if r.CosignCode != "" {
			fields = append(fields, p.cosignFacts(v, r)...)
		}
	}
	return p.officeFrame("records", p.t("office.record"),
		app.A().Href("/office/records").Class("back").Text("‹ "+p.t("office.records")),
		app.Section().Class("card").Attr("data-testid", "record-detail").Body(
			app.Div().Class("record-head").Body(app.H2().Text(p.t("record.type."+v.Type)+" · "+v.PatientName), stateChip(p.shift, *v)),
			app.Dl().Class("facts").Body(fields...),
			app.If(r != nil && r.SignatureSVG != "", func() app.UI {
				return app.Div().Body(app.H3().Text(p.t("office.signature")), signatureImage(r.SignatureSVG, "signature"))
			}),
			app.If(r != nil && r.CosignerSignatureSVG != "", func() app.UI {
				return app.Div().Body(app.H3().Text(p.t("office.cosignature")), signatureImage(r.CosignerSignatureSVG, "cosignature"))
			}),
		),
		app.Section().Class("card").Body(
			app.H2().Text(p.t("office.provenance")),
			app.Dl().Class("facts").Body(
				fact(p.t("office.device"), app.Text(strings.TrimSpace(v.DeviceLabel+" ("+v.DeviceID+") #"+i18n.T(lang, "office.seq", v.Seq)))),
				fact(p.t("office.device_time"), app.Text(p.stamp(v.CreatedAt))),
				fact(p.t("office.col.received"), app.Text(p.stamp(v.Received))),
				app.If(v.BundleIssuedAt != nil && v.BundleExpiresAt != nil, func() app.UI {
					return fact(p.t("office.bundle_valid"), app.Text(p.stamp(*v.BundleIssuedAt)+" – "+p.stamp(*v.BundleExpiresAt)))
				}),
				app.If(v.EnteredByName != "" || v.ReconciledByName != "", func() app.UI {
					return fact(p.t("office.reconciled"), app.Text(p.reconciledLine(v)))
				}),
			),
			app.H3().Text(p.t("office.history")),
			app.Ol().Class("history").Attr("data-testid", "history").Body(app.Range(v.History).Slice(func(i int) app.UI {
				h := v.History[i]
				return app.Li().Body(
					app.Strong().Text(p.stamp(h.Time)+" "+p.t("audit.action."+h.Action)),
					app.Span().Class("muted").Text(" "+p.userName(h.Actor)),
					app.Div().Class("small muted").Text(h.Detail),
				)
			})),
		),
		// A drill's record is practice: never entered, its drill's page
		// one step away.
		app.If(v.DrillID != "", func() app.UI {
			return app.P().Class("banner banner-drill").Attr("data-testid", "record-drill").Body(
				app.Span().Text(p.t("error.drill_record")), app.A().Href("/office/drills/"+v.DrillID).Text(p.t("drill.report.open")))
		}),
		app.If(v.State == "new" && v.DrillID == "", func() app.UI { return p.actions(v) }),
	)
}

func (p *recordPage) reconciledLine(v *wire.RecordView) string {
	out := p.t("office.state."+v.State) + ": " + v.ReconciledByName
	if v.EnteredByName != "" && v.EnteredBy != v.ReconciledBy {
		out += " (" + p.t("office.entered_by", v.EnteredByName) + ")"
	}
	if v.EHRRef != "" {
		out += " · " + v.EHRRef
	}
	if v.VoidReason != "" {
		out += " · " + v.VoidReason
	}
	if v.ReconciledAt != nil {
		out += " · " + p.stamp(*v.ReconciledAt)
	}
	return out
}

// actions are the two decisions on a new record.
func (p *recordPage) actions(v *wire.RecordView) app.UI {
	return app.Section().Class("card form").Body(
		app.H2().Text(p.t("office.reconcile")),
		app.Label().For("ehr").Text(p.t("office.ehr_ref")),
		app.Input().ID("ehr").Attr("data-testid", "ehr-ref").Value(p.ehrRef).OnInput(p.ValueTo(&p.ehrRef)),
		app.Label().Class("inline").Body(
			app.Input().Type("checkbox").Checked(p.byAuthor).Attr("data-testid", "entered-by-author").
				OnChange(func(ctx app.Context, e app.Event) { p.byAuthor = ctx.JSSrc().Get("checked").Bool() }),
			app.Span().Text(p.t("office.entered_by_author", v.AuthorName)),
		),
		app.Button().Class("btn btn-primary btn-block").Attr("data-testid", "mark-entered").Disabled(p.loading).
			Text(p.t("office.mark_entered")).OnClick(func(ctx app.Context, e app.Event) {
			req := wire.ReconcileRequest{IDs: []string{v.ID}, Action: "entered", EHRRef: strings.TrimSpace(p.ehrRef)}
			if p.byAuthor {
				req.EnteredBy = v.AuthorID
			}
			p.reconcile(ctx, req)
		}),
		app.Label().For("void-reason").Text(p.t("office.void_reason")),
		app.Textarea().ID("void-reason").Attr("data-testid", "void-reason").Attr("rows", 2).Text(p.reason).OnInput(p.ValueTo(&p.reason)),
		app.Button().Class("btn btn-block").Attr("data-testid", "mark-void").Disabled(p.loading).
			Text(p.t("office.void")).OnClick(func(ctx app.Context, e app.Event) {
			if strings.TrimSpace(p.reason) == "" {
				p.problem = p.t("office.void_needs_reason")
				return
			}
			p.reconcile(ctx, wire.ReconcileRequest{IDs: []string{v.ID}, Action: "void", Reason: strings.TrimSpace(p.reason)})
		}),
	)
}

func (p *recordPage) reconcile(ctx app.Context, req wire.ReconcileRequest) {
	p.call(ctx, func(c context.Context, token string) error {
		_, err := p.shift.API().Reconcile(c, token, req)
		return err
	}, func(ctx app.Context) { p.load(ctx) })
}

// signatureImage draws a stored signature. The path is checked to hold
// only path commands and numbers before it goes into markup.
func signatureImage(path, testid string) app.UI {
	if !care.IsPathData(path) {
		return app.Text("")
	}
	return app.Div().Class("signature-view").Attr("data-testid", testid).Body(app.Raw(
		`<svg viewBox="0 0 600 200" role="img" aria-label="signature"><path d="` + path +
			`" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`))
}

// cosignFacts show a record's co-signing code and what it links: the
// co-signers of a medication record, each verified or not, or the dose a
// cosign record co-signs.
func (p *recordPage) cosignFacts(v *wire.RecordView, r *care.Record) []app.UI {
	out := []app.UI{fact(p.t("cosign.fact.code"), app.Text(care.FormatCosignCode(r.CosignCode)))}
	label := p.t("cosign.fact.by_phone")
	if r.Type == care.RecordCosign {
		label = p.t("cosign.fact.of")
	}
	if len(v.Cosigns) == 0 {
		return append(out, fact(label, app.Text(p.t("cosign.fact.none"))))
	}
	for _, l := range v.Cosigns {
		text := l.AuthorName + " · " + p.stamp(l.CreatedAt)
		if l.Problem != "" {
			text += " · " + p.t("finding.cosigner_unverified")
		}
		out = append(out, fact(label, app.A().Href("/office/records/"+l.RecordID).Attr("data-testid", "cosign-link").Text(text)))
	}
	return out
}
