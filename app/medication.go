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
	busy       bool
	problem    string
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
	*f = doseForm{Compo: f.Compo, shift: f.shift, Visit: f.Visit, Dose: f.Dose, onClose: f.onClose, forKey: key,
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
	double := f.Dose != nil && f.Dose.DoubleCheck
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
			return app.Div().Class("cosign").Body(
				app.P().Class("banner banner-important").Text(s.T("dose.double_check_hint")),
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
	case f.Dose != nil && f.Dose.DoubleCheck && (strings.TrimSpace(f.cosigner) == "" || f.cosig.Empty()):
		return s.T("dose.need_cosigner")
	}
	if _, err := f.administeredAt(); err != nil {
		return s.T("dose.need_time")
	}
	return ""
}

// administeredAt combines the edited clock time with today's date; a time
// more than an hour ahead is taken as last evening's.
func (f *doseForm) administeredAt() (time.Time, error) {
	hm, err := time.Parse("15:04", strings.ReplaceAll(f.clock, ".", ":"))
	if err != nil {
		return time.Time{}, err
	}
	now := f.shift.Clock().Wall().Local()
	at := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, now.Location())
	if at.Sub(now) > time.Hour {
		at = at.AddDate(0, 0, -1)
	}
	return at.UTC(), nil
}

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
		if f.Dose.DoubleCheck {
			r.CosignerName, r.CosignerSignatureSVG = strings.TrimSpace(f.cosigner), f.cosig.Path()
		}
	}
	f.busy, f.problem = true, ""
	saveRecord(ctx, f.shift, r, &f.busy, &f.problem, func(ctx app.Context) {
		f.onClose(ctx, true)
	})
}
