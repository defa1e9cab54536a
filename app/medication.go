package app

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// doseForm signs one administration: given, refused, withheld or not
// given, with the dose and time prefilled and editable, a reason unless
// given, and the handwritten signature; a double-check dose also takes a
// second signer's name and signature. With no scheduled dose it records an
// unscheduled one.
type doseForm struct {
	app.Compo
	shift *shift.Shift
	// Visit and Dose are exported so that a mounted form always signs what
	// the page shows.
	Visit   care.Visit
	Dose    *care.ScheduledDose
	onClose func(ctx app.Context, saved bool)

	forKey     string
	medication string
	amount     string
	route      string
	status     string
	reason     string
	clock      string
	cosigner   string
	sig        signature
	cosig      signature
	// here says the co-signer has no phone: her name and drawing are
	// taken on this one (shown as unverified on the desk); otherwise the
	// dose gets a code for her own phone, and onCode shows it.
	here    bool
	onCode  func(ctx app.Context, code, medication string)
	busy    bool
	problem string
}

func newDoseForm(s *shift.Shift, v care.Visit, d *care.ScheduledDose, onClose func(app.Context, bool)) *doseForm {
	return &doseForm{shift: s, Visit: v, Dose: d, onClose: onClose}
}

// prefill starts the form over for the dose (or the unscheduled form of
// the visit) whenever that changes.
func (f *doseForm) prefill() {
	key := f.Visit.ID + "/"
	if f.Dose != nil {
		key += f.Dose.ID
	}
	if key == f.forKey {
		return
	}
	*f = doseForm{Compo: f.Compo, shift: f.shift, Visit: f.Visit, Dose: f.Dose, onClose: f.onClose, onCode: f.onCode, forKey: key,
		status: care.DoseGiven, clock: f.shift.Clock().Wall().Local().Format("15:04")}
	if f.Dose != nil {
		f.medication, f.amount, f.route = f.Dose.Medication, f.Dose.Dose, f.Dose.Route
	}
}

func (f *doseForm) Render() app.UI {
	f.prefill()
	s := f.shift
	title := s.T("dose.unscheduled_title")
	if f.Dose != nil {
		title = s.T("dose.sign_title", f.Dose.Medication)
	}
	double := f.Dose != nil && f.Dose.NeedsCosign()
	return app.Form().Class("card form dose-form").Method("post").Action("/").OnSubmit(f.submit).Attr("data-testid", "dose-form").Body(
		app.H2().ID(formTitleID).Attr("tabindex", -1).Text(title),
		app.If(f.Dose != nil, func() app.UI {
			return app.P().Class("muted").Text(s.T("dose.due", i18n.Time(s.Prefs().Lang(), f.Dose.Due.Local())))
		}),
		app.If(f.Dose == nil, func() app.UI {
			return app.Div().Body(
				app.Label().For("dose-medication").Text(s.T("dose.medication")),
				app.Input().ID("dose-medication").Attr("data-testid", "dose-medication").Required(true).
					Value(f.medication).OnInput(f.ValueTo(&f.medication)),
				app.Label().For("dose-route").Text(s.T("dose.route")),
				app.Input().ID("dose-route").Value(f.route).OnInput(f.ValueTo(&f.route)),
			)
		}),
		app.FieldSet().Class("choices").Body(
			app.Legend().Text(s.T("dose.status")),
			app.Range(care.DoseStatuses()).Slice(func(i int) app.UI {
				st := care.DoseStatuses()[i]
				return app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("dose-status").Value(st).Checked(f.status == st).
						Attr("data-testid", "dose-status-"+st).
						OnChange(func(ctx app.Context, e app.Event) { f.status = st }),
					app.Span().Text(s.T("dose.status."+st)),
				)
			}),
		),
		app.Div().Class("row").Body(
			app.Div().Body(
				app.Label().For("dose-amount").Text(s.T("dose.amount")),
				app.Input().ID("dose-amount").Attr("data-testid", "dose-amount").Required(true).
					Value(f.amount).OnInput(f.ValueTo(&f.amount)),
			),
			app.Div().Body(
				app.Label().For("dose-time").Text(s.T("dose.time")),
				app.Input().ID("dose-time").Type("time").Attr("data-testid", "dose-time").Required(true).
					Value(f.clock).OnInput(f.ValueTo(&f.clock)),
			),
		),
		app.If(f.status != care.DoseGiven, func() app.UI {
			return app.Div().Body(
				app.Label().For("dose-reason").Text(s.T("dose.reason")),
				app.Textarea().ID("dose-reason").Attr("data-testid", "dose-reason").Attr("rows", 2).
					Required(true).Text(f.reason).OnInput(f.ValueTo(&f.reason)),
			)
		}),
		&signaturePad{sig: &f.sig, label: s.T("dose.signature"), undo: s.T("sig.undo"), clear: s.T("sig.clear"), testid: "signature-pad"},
		app.If(double, func() app.UI {
			return app.FieldSet().Class("choices cosign").Body(
				app.Legend().Text(s.T("cosign.how")),
				app.P().Class("banner banner-important").Text(s.T("dose.double_check_hint")),
				app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("cosign-how").Checked(!f.here).Attr("data-testid", "cosign-on-phone").
						OnChange(func(ctx app.Context, e app.Event) { f.here = false }),
					app.Span().Text(s.T("cosign.on_phone")),
				),
				app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("cosign-how").Checked(f.here).Attr("data-testid", "cosign-here").
						OnChange(func(ctx app.Context, e app.Event) { f.here = true }),
					app.Span().Text(s.T("cosign.here")),
				),
			)
		}),
		app.If(double && f.here, func() app.UI {
			return app.Div().Class("cosign").Body(
				app.Label().For("cosigner").Text(s.T("dose.cosigner")),
				app.Input().ID("cosigner").Attr("data-testid", "cosigner").Attr("autocomplete", "off").
					Value(f.cosigner).OnInput(f.ValueTo(&f.cosigner)),
				&signaturePad{sig: &f.cosig, label: s.T("dose.cosignature"), undo: s.T("sig.undo"), clear: s.T("sig.clear"), testid: "cosignature-pad"},
			)
		}),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "dose-error").Text(f.problem)
		}),
		app.Div().Class("form-actions").Body(
			app.Button().Type("button").Class("btn").Text(s.T("form.cancel")).Disabled(f.busy).
				OnClick(func(ctx app.Context, e app.Event) { f.onClose(ctx, false) }),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "med-save").Disabled(f.busy).
				Text(busyLabel(s, f.busy, "dose.save", "form.saving")),
		),
	)
}

// problemWith returns what is missing, in the user's words, or "".
func (f *doseForm) problemWith() string {
	s := f.shift
	switch {
	case strings.TrimSpace(f.medication) == "":
		return s.T("dose.need_medication")
	case strings.TrimSpace(f.amount) == "":
		return s.T("dose.need_amount")
	case f.status != care.DoseGiven && strings.TrimSpace(f.reason) == "":
		return s.T("dose.need_reason")
	case f.sig.Empty():
		return s.T("dose.need_signature")
	case f.Dose != nil && f.Dose.NeedsCosign() && f.here && (strings.TrimSpace(f.cosigner) == "" || f.cosig.Empty()):
		return s.T("dose.need_cosigner")
	}
	if _, err := f.administeredAt(); err != nil {
		return s.T("dose.need_time")
	}
	return ""
}

// administeredAt combines the edited clock time with today's date
// (clockToday).
func (f *doseForm) administeredAt() (time.Time, error) { return clockToday(f.shift, f.clock) }

func (f *doseForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	if p := f.problemWith(); p != "" {
		f.problem = p
		return
	}
	at, _ := f.administeredAt()
	r := care.Record{Type: care.RecordMedication, PatientID: f.Visit.PatientID, VisitID: f.Visit.ID,
		Medication: strings.TrimSpace(f.medication), Dose: strings.TrimSpace(f.amount), Route: strings.TrimSpace(f.route),
		Status: f.status, AdministeredAt: &at, SignatureSVG: f.sig.Path()}
	if f.status != care.DoseGiven {
		r.Reason = strings.TrimSpace(f.reason)
	}
	if f.Dose != nil {
		r.ScheduleID = f.Dose.ID
		switch {
		case !f.Dose.NeedsCosign():
		case f.here:
			r.CosignerName, r.CosignerSignatureSVG = strings.TrimSpace(f.cosigner), f.cosig.Path()
		case f.status == care.DoseGiven:
			r.CosignCode = shift.CosignCode(r.PatientID, r.ScheduleID, "")
		}
	}
	f.busy, f.problem = true, ""
	saveRecord(ctx, f.shift, r, &f.busy, &f.problem, func(ctx app.Context) {
		if r.CosignCode != "" && f.onCode != nil {
			f.onCode(ctx, r.CosignCode, r.Medication)
			return
		}
		f.onClose(ctx, true)
	})
}

// prnForm gives an as-needed dose of one of the patient's PRN
// medications: the indication it is given for, the dose and time, the
// signature. Before saving it checks the medication's rules against the
// doses the phone knows of (the bundle's and its own, shift.CheckPRN);
// when the dose comes too soon or goes over the day's maximum it says so
// and saves only with a reason to go on, which the record carries.
type prnForm struct {
	app.Compo
	shift *shift.Shift
	// Visit and PRN are exported so that a mounted form always gives
	// what the page shows.
	Visit   care.Visit
	PRN     care.PRNMedication
	onClose func(ctx app.Context, saved bool)

	forKey     string
	indication string
	amount     string
	clock      string
	sig        signature
	override   string
	// warned holds the check shown; a dose with a warning saves only
	// after it has been shown, with a reason.
	warned  *care.PRNCheck
	onCode  func(ctx app.Context, code, medication string)
	busy    bool
	problem string
}

func (f *prnForm) prefill() {
	key := f.Visit.ID + "/" + f.PRN.ID
	if key == f.forKey {
		return
	}
	*f = prnForm{Compo: f.Compo, shift: f.shift, Visit: f.Visit, PRN: f.PRN, onClose: f.onClose, onCode: f.onCode, forKey: key,
		amount: f.PRN.Dose, clock: f.shift.Clock().Wall().Local().Format("15:04")}
	if len(f.PRN.Indications) == 1 {
		f.indication = f.PRN.Indications[0]
	}
}

func (f *prnForm) Render() app.UI {
	f.prefill()
	s := f.shift
	m := f.PRN
	return app.Form().Class("card form dose-form").Method("post").Action("/").OnSubmit(f.submit).Attr("data-testid", "prn-form").Body(
		app.H2().ID(formTitleID).Attr("tabindex", -1).Text(s.T("prn.form_title", m.Medication)),
		app.P().Class("muted").Text(prnRule(s, m)),
		app.FieldSet().Class("choices").Body(
			app.Legend().Text(s.T("prn.indication")),
			app.Range(m.Indications).Slice(func(i int) app.UI {
				ind := m.Indications[i]
				return app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("prn-indication").Value(ind).Checked(f.indication == ind).
						Attr("data-testid", "prn-indication").
						OnChange(func(ctx app.Context, e app.Event) { f.indication = ind }),
					app.Span().Text(ind),
				)
			}),
		),
		app.Div().Class("row").Body(
			app.Div().Body(
				app.Label().For("prn-amount").Text(s.T("dose.amount")),
				app.Input().ID("prn-amount").Attr("data-testid", "prn-amount").Required(true).
					Value(f.amount).OnInput(f.ValueTo(&f.amount)),
			),
			app.Div().Body(
				app.Label().For("prn-time").Text(s.T("dose.time")),
				app.Input().ID("prn-time").Type("time").Attr("data-testid", "prn-time").Required(true).
					Value(f.clock).OnInput(f.ValueTo(&f.clock)),
			),
		),
		&signaturePad{sig: &f.sig, label: s.T("dose.signature"), undo: s.T("sig.undo"), clear: s.T("sig.clear"), testid: "signature-pad"},
		app.If(f.warned != nil, func() app.UI {
			return f.warning(*f.warned)
		}),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "dose-error").Text(f.problem)
		}),
		app.Div().Class("form-actions").Body(
			app.Button().Type("button").Class("btn").Text(s.T("form.cancel")).Disabled(f.busy).
				OnClick(func(ctx app.Context, e app.Event) { f.onClose(ctx, false) }),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "prn-save").Disabled(f.busy).
				Text(busyLabel(s, f.busy, f.saveLabel(), "form.saving")),
		),
	)
}

func (f *prnForm) saveLabel() string {
	if f.warned != nil {
		return "prn.give_anyway"
	}
	return "prn.save"
}

// warning says what the rules found, what was counted, and asks why the
// dose is given anyway.
func (f *prnForm) warning(c care.PRNCheck) app.UI {
	s := f.shift
	lang := s.Prefs().Lang()
	return app.Div().Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "prn-warning").Body(
		app.If(c.TooSoon, func() app.UI {
			return app.P().Attr("data-testid", "prn-warning-interval").Text(s.T("prn.warn.too_soon", i18n.Time(lang, c.Last.Local()),
				i18n.Duration(lang, f.PRN.MinInterval()), i18n.Time(lang, c.NextAllowed.Local())))
		}),
		app.If(c.OverMax, func() app.UI {
			return app.P().Attr("data-testid", "prn-warning-max").Text(s.T("prn.warn.over_max", c.InDay, f.PRN.MaxPer24h))
		}),
		app.P().Class("small").Text(s.T("prn.warn.counted")),
		app.Label().For("prn-override").Text(s.T("prn.override_reason")),
		app.Textarea().ID("prn-override").Attr("data-testid", "prn-override-reason").Attr("rows", 2).
			Attr("maxlength", care.MaxShortBytes/2).Text(f.override).OnInput(f.ValueTo(&f.override)),
	)
}

func (f *prnForm) administeredAt() (time.Time, error) {
	return clockToday(f.shift, f.clock)
}

func (f *prnForm) problemWith() string {
	s := f.shift
	switch {
	case !f.PRN.HasIndication(f.indication):
		return s.T("prn.need_indication")
	case strings.TrimSpace(f.amount) == "":
		return s.T("dose.need_amount")
	case f.sig.Empty():
		return s.T("dose.need_signature")
	}
	if _, err := f.administeredAt(); err != nil {
		return s.T("dose.need_time")
	}
	return ""
}

func (f *prnForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	if p := f.problemWith(); p != "" {
		f.problem = p
		return
	}
	s := f.shift
	at, _ := f.administeredAt()
	check := shift.CheckPRN(s.Bundle(), s.Outbox().Records(f.Visit.PatientID), f.Visit.PatientID, f.PRN, at)
	override := ""
	if check.Warn() {
		shown := f.warned != nil && f.warned.TooSoon == check.TooSoon && f.warned.OverMax == check.OverMax
		f.warned = &check
		if !shown {
			f.problem = ""
			return
		}
		if override = strings.TrimSpace(f.override); override == "" {
			f.problem = s.T("prn.need_override")
			return
		}
	} else {
		f.warned = nil
	}
	r := care.Record{Type: care.RecordMedication, PatientID: f.Visit.PatientID, VisitID: f.Visit.ID, PRNID: f.PRN.ID,
		Medication: f.PRN.Medication, Dose: strings.TrimSpace(f.amount), Route: f.PRN.Route, Status: care.DoseGiven,
		AdministeredAt: &at, SignatureSVG: f.sig.Path(), Indication: f.indication, OverrideReason: override}
	if f.PRN.Controlled {
		// A controlled drug's second signature comes from the co-signer's
		// own phone, by the code shown once the dose is saved.
		r.CosignCode = shift.CosignCode(r.PatientID, "", r.PRNID)
	}
	f.busy, f.problem = true, ""
	saveRecord(ctx, s, r, &f.busy, &f.problem, func(ctx app.Context) {
		if r.CosignCode != "" && f.onCode != nil {
			f.onCode(ctx, r.CosignCode, r.Medication)
			return
		}
		f.onClose(ctx, true)
	})
}

// prnRule says a PRN medication's dose and limits in a line.
func prnRule(s *shift.Shift, m care.PRNMedication) string {
	if m.MinIntervalMinutes > 0 {
		return s.T("prn.rule", m.Dose, i18n.Duration(s.Prefs().Lang(), m.MinInterval()), m.MaxPer24h)
	}
	return s.T("prn.rule_no_interval", m.Dose, m.MaxPer24h)
}

// clockToday combines a clock time typed on the phone with today's date;
// a time more than an hour ahead is taken as last evening's.
func clockToday(s *shift.Shift, clock string) (time.Time, error) {
	hm, err := time.Parse("15:04", strings.ReplaceAll(clock, ".", ":"))
	if err != nil {
		return time.Time{}, err
	}
	now := s.Clock().Wall().Local()
	at := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, now.Location())
	if at.Sub(now) > time.Hour {
		at = at.AddDate(0, 0, -1)
	}
	return at.UTC(), nil
}

// prnEffectForm records how an as-needed dose worked: a prn_effect
// record linked to the administration.
type prnEffectForm struct {
	app.Compo
	shift *shift.Shift
	// Visit and Dose are exported so that a mounted form always evaluates
	// the dose the page shows.
	Visit   care.Visit
	Dose    care.Record
	onClose func(ctx app.Context, saved bool)

	forKey  string
	effect  string
	remark  string
	busy    bool
	problem string
}

func (f *prnEffectForm) Render() app.UI {
	if f.forKey != f.Dose.ID {
		*f = prnEffectForm{Compo: f.Compo, shift: f.shift, Visit: f.Visit, Dose: f.Dose, onClose: f.onClose, forKey: f.Dose.ID}
	}
	s := f.shift
	lang := s.Prefs().Lang()
	given := ""
	if f.Dose.AdministeredAt != nil {
		given = i18n.Time(lang, f.Dose.AdministeredAt.Local())
	}
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Attr("data-testid", "prn-effect-form").Body(
		app.H2().ID(formTitleID).Attr("tabindex", -1).Text(s.T("prn.effect.form_title", f.Dose.Medication, given)),
		app.FieldSet().Class("choices").Body(
			app.Legend().Text(s.T("prn.effect.legend")),
			app.Range(care.PRNEffects()).Slice(func(i int) app.UI {
				ef := care.PRNEffects()[i]
				return app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("prn-effect").Value(ef).Checked(f.effect == ef).
						Attr("data-testid", "prn-effect-"+ef).
						OnChange(func(ctx app.Context, e app.Event) { f.effect = ef }),
					app.Span().Text(s.T("prn.effect."+ef)),
				)
			}),
		),
		app.If(f.effect == care.EffectWorse, func() app.UI {
			return app.P().Class("banner banner-important").Text(s.T("prn.effect.worse_hint"))
		}),
		app.Label().For("prn-effect-remark").Text(s.T("prn.effect.remark")),
		app.Textarea().ID("prn-effect-remark").Attr("data-testid", "prn-effect-remark").Attr("rows", 2).
			Text(f.remark).OnInput(f.ValueTo(&f.remark)),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(f.problem)
		}),
		app.Div().Class("form-actions").Body(
			app.Button().Type("button").Class("btn").Text(s.T("form.cancel")).Disabled(f.busy).
				OnClick(func(ctx app.Context, e app.Event) { f.onClose(ctx, false) }),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "prn-effect-save").Disabled(f.busy).
				Text(busyLabel(s, f.busy, "prn.effect.save", "form.saving")),
		),
	)
}

func (f *prnEffectForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	if f.effect == "" {
		f.problem = f.shift.T("prn.effect.need")
		return
	}
	at := f.shift.Clock().Wall().UTC()
	r := care.Record{Type: care.RecordPRNEffect, PatientID: f.Visit.PatientID, VisitID: f.Visit.ID, AdministrationID: f.Dose.ID,
		Effect: f.effect, Text: strings.TrimSpace(f.remark), At: &at}
	f.busy, f.problem = true, ""
	saveRecord(ctx, f.shift, r, &f.busy, &f.problem, func(ctx app.Context) { f.onClose(ctx, true) })
}
