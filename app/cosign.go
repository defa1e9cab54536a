package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// cosignPage is where a nurse co-signs a colleague's dose on her own
// phone, offline: she types the code the giver's phone shows, sees the
// dose from her own bundle (patient, drug, dose, due time), draws her
// signature, and the phone writes a cosign record.
type cosignPage struct {
	page
	typed   string
	code    string
	found   []shift.CosignDose
	chosen  int
	sig     signature
	busy    bool
	problem string
	flash   string
}

func (p *cosignPage) OnNav(ctx app.Context) {
	p.typed, p.code, p.found, p.chosen, p.sig, p.problem, p.flash = "", "", nil, 0, signature{}, "", ""
}

func (p *cosignPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("visits", p.t("app.name"), ui)
	}
	s := p.shift
	b := s.Bundle()
	nurse := false
	for _, c := range b.Colleagues {
		if c.ID == b.UserID {
			nurse = c.Role.Cosigns()
		}
	}
	lang := s.Prefs().Lang()
	return p.frame("visits", p.t("cosign.title"),
		app.If(p.flash != "", func() app.UI {
			return app.P().Class("banner banner-ok").Attr("role", "status").Attr("data-testid", "cosign-saved").Text(p.flash)
		}),
		app.If(!nurse, func() app.UI { return app.P().Class("banner banner-important").Text(p.t("cosign.not_nurse")) }),
		app.Form().Class("card form").Method("post").Action("/").OnSubmit(p.find).Body(
			app.H2().ID(formTitleID).Attr("tabindex", -1).Text(p.t("cosign.title")),
			app.P().Class("muted").Text(p.t("cosign.hint")),
			app.Label().For("cosign-code").Text(p.t("cosign.code")),
			app.Input().ID("cosign-code").Class("code-input").Attr("data-testid", "cosign-code").Attr("autocomplete", "off").
				Attr("autocapitalize", "characters").Attr("spellcheck", "false").Attr("maxlength", 12).
				Value(p.typed).OnInput(p.ValueTo(&p.typed)),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "cosign-find").Text(p.t("cosign.find")),
		),
		app.If(p.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "cosign-error").Text(p.problem)
		}),
		app.If(len(p.found) > 0 && nurse, func() app.UI {
			return app.Form().Class("card form").Method("post").Action("/").OnSubmit(p.save).Attr("data-testid", "cosign-form").Body(
				app.FieldSet().Class("choices").Body(
					app.Legend().Text(p.t("cosign.choose_one")),
					app.Range(p.found).Slice(func(i int) app.UI {
						d := p.found[i]
						when := p.t("cosign.prn")
						if !d.Due.IsZero() {
							when = p.t("cosign.due", i18n.Time(lang, d.Due.Local()))
						}
						return app.Label().Class("choice").Attr("data-testid", "cosign-dose").Body(
							app.Input().Type("radio").Name("cosign-dose").Checked(p.chosen == i).
								OnChange(func(ctx app.Context, e app.Event) { p.chosen = i }),
							app.Span().Body(app.Strong().Text(d.Patient.Name), app.Text(" · "+d.Medication+" "+d.Dose+" · "+when)),
						)
					}),
				),
				&signaturePad{sig: &p.sig, label: p.t("cosign.your_sig"), undo: p.t("sig.undo"), clear: p.t("sig.clear"), testid: "cosign-pad"},
				app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "cosign-save").Disabled(p.busy).
					Text(busyLabel(s, p.busy, "cosign.save", "form.saving")),
			)
		}),
	)
}

// find looks the typed code up in the phone's own bundle.
func (p *cosignPage) find(ctx app.Context, e app.Event) {
	e.PreventDefault()
	p.flash, p.found, p.chosen = "", nil, 0
	code, ok := care.NormalizeCosignCode(p.typed)
	switch {
	case !ok:
		p.problem = p.t("cosign.bad_code")
	default:
		p.code, p.found, p.problem = code, shift.FindCosignDoses(p.shift.Bundle(), code), ""
		if len(p.found) == 0 {
			p.problem = p.t("cosign.not_found")
		}
	}
}

func (p *cosignPage) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if p.busy || p.chosen >= len(p.found) {
		return
	}
	if p.sig.Empty() {
		p.problem = p.t("cosign.need_sig")
		return
	}
	r := shift.CosignRecord(p.found[p.chosen], p.code, p.sig.Path())
	p.busy, p.problem = true, ""
	saveRecord(ctx, p.shift, r, &p.busy, &p.problem, func(ctx app.Context) {
		p.typed, p.code, p.found, p.sig, p.flash = "", "", nil, signature{}, p.t("cosign.saved")
	})
}

// cosignCodeCard shows a dose's co-signing code large, for the co-signer
// to type on her own phone, until the giver leaves it.
func cosignCodeCard(s *shift.Shift, code, medication string, done func(ctx app.Context)) app.UI {
	return app.Section().Class("card center").Attr("data-testid", "cosign-code-card").Body(
		app.H2().ID(formTitleID).Attr("tabindex", -1).Text(s.T("cosign.code_title")),
		app.P().Text(medication),
		app.P().Class("cosign-code").Attr("data-testid", "cosign-code-shown").Attr("aria-label", strings.Join(strings.Split(code, ""), " ")).
			Text(care.FormatCosignCode(code)),
		app.P().Class("muted").Text(s.T("cosign.code_hint")),
		app.Button().Class("btn btn-primary btn-block").Attr("data-testid", "cosign-code-done").Text(s.T("cosign.done")).
			OnClick(func(ctx app.Context, e app.Event) { done(ctx) }),
	)
}
