package app

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// visitPage shows one visit and is where the work is recorded: the
// visit's status, the doses to sign, a note, a deviation, what was
// recorded today, and the patient's person card. A visit of the unit part
// opens only after the worker gives a reason (emergency access).
type visitPage struct {
	page
	id string

	signing     *care.ScheduledDose
	unscheduled bool
	// prn is the PRN medication being given, effectOf the PRN dose whose
	// effect is being evaluated.
	prn       *care.PRNMedication
	effectOf  *care.Record
	deviation bool
	// code and codeFor: the co-signing code shown large, and its drug.
	code, codeFor string
	flash         string
	busy          bool
	// ui is the page's own context. go-app drops a deferred step whose
	// element is gone, and a form replaces the button that opened it (and
	// is gone itself once it closes), so scrolling and focus around a form
	// go through the page.
	ui app.Context
}

func (p *visitPage) OnNav(ctx app.Context) {
	p.id = strings.TrimPrefix(ctx.Page().URL().Path, "/visits/")
	p.signing, p.unscheduled, p.deviation, p.flash = nil, false, false, ""
	p.prn, p.effectOf = nil, nil
	p.code, p.codeFor = "", ""
}

func (p *visitPage) OnMount(ctx app.Context) {
	p.mount(ctx)
	p.ui = ctx
}

// openForm shows a form in place of the visit and puts focus on its title.
func (p *visitPage) openForm(ctx app.Context) {
	p.flash = ""
	p.after(ctx, formTitleID)
}

// after scrolls to the top of the content and focuses the element with the
// given id once the page has rendered.
func (p *visitPage) after(ctx app.Context, id string) {
	if p.mounted {
		ctx = p.ui
	}
	ctx.ScrollTo("main")
	focusAfterRender(ctx, id)
}

func (p *visitPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("visits", p.t("app.name"), ui)
	}
	b := p.shift.Bundle()
	v, ok := b.Visit(p.id)
	if !ok {
		return p.frame("visits", p.t("visit.title"), notFound(p.shift))
	}
	pt, _ := b.Patient(v.PatientID)
	own := b.OwnPatient(pt.ID)
	active := "visits"
	if !b.Own(v) {
		active = "unit"
	}
	if !own && !p.shift.Outbox().Granted(pt.ID) {
		return p.frame(active, p.t("emergency.title"), &emergencyGate{shift: p.shift, Patient: pt, Worker: b.ColleagueName(v.WorkerID)})
	}
	closeForm := func(ctx app.Context, saved bool) {
		p.signing, p.unscheduled, p.deviation = nil, false, false
		p.prn, p.effectOf = nil, nil
		if saved {
			p.flash = p.t("form.saved")
		}
		p.after(ctx, visitTitleID)
	}
	showCode := func(ctx app.Context, code, medication string) {
		p.signing, p.unscheduled, p.prn = nil, false, nil
		p.code, p.codeFor = code, medication
		p.after(ctx, formTitleID)
	}
	switch {
	case p.code != "":
		return p.frame(active, pt.Name, cosignCodeCard(p.shift, p.code, p.codeFor, func(ctx app.Context) {
			p.code, p.codeFor = "", ""
			closeForm(ctx, true)
		}))
	case p.signing != nil:
		f := newDoseForm(p.shift, v, p.signing, closeForm)
		f.onCode = showCode
		return p.frame(active, pt.Name, f)
	case p.unscheduled:
		return p.frame(active, pt.Name, newDoseForm(p.shift, v, nil, closeForm))
	case p.deviation:
		return p.frame(active, pt.Name, &deviationForm{shift: p.shift, Visit: v, onClose: closeForm})
	case p.prn != nil:
		return p.frame(active, pt.Name, &prnForm{shift: p.shift, Visit: v, PRN: *p.prn, onClose: closeForm, onCode: showCode})
	case p.effectOf != nil:
		return p.frame(active, pt.Name, &prnEffectForm{shift: p.shift, Visit: v, Dose: *p.effectOf, onClose: closeForm})
	}
	lang := p.shift.Prefs().Lang()
	recs := p.shift.Outbox().Records(pt.ID)
	return p.frame(active, pt.Name,
		app.A().Href(backLink(b.Own(v))).Class("back").Text("‹ "+p.t(backLabel(b.Own(v)))),
		app.If(!own, func() app.UI {
			return app.P().Class("banner banner-important").Attr("data-testid", "emergency-active").Text(p.t("emergency.active"))
		}),
		app.If(p.flash != "", func() app.UI {
			return app.P().Class("banner banner-ok").Attr("role", "status").Attr("data-testid", "saved").Text(p.flash)
		}),
		app.Section().Class("card").Body(
			app.H2().ID(visitTitleID).Attr("tabindex", -1).Text(p.t("visit.heading", i18n.Time(lang, v.Start.Local()), i18n.Time(lang, v.End().Local()))),
			app.If(!b.Own(v), func() app.UI {
				return app.P().Class("muted").Text(p.t("unit.worker", b.ColleagueName(v.WorkerID)))
			}),
			app.Ul().Class("tasks").Body(
				app.Range(v.Tasks).Slice(func(i int) app.UI { return app.Li().Text(v.Tasks[i]) }),
			),
			p.statusButtons(v),
		),
		p.pendingEffects(b, pt),
		p.waitingCosigns(recs, pt.ID, showCode),
		p.doseList(b, v),
		p.prnList(b, pt),
		&noteForm{shift: p.shift, Visit: v},
		app.Section().Class("card").Body(
			app.Button().Class("btn btn-block").Attr("data-testid", "deviation-new").Text(p.t("deviation.new")).
				OnClick(func(ctx app.Context, e app.Event) {
					p.deviation = true
					p.openForm(ctx)
				}),
		),
		app.If(len(recs) > 0, func() app.UI {
			return app.Section().Class("card").Attr("data-testid", "today").Body(
				app.H2().Text(p.t("visit.recorded_today")),
				recordList(p.shift, b, recs, false),
			)
		}),
		personCard(p.shift, pt),
	)
}

// statusButtons record where the visit stands; the latest tap counts.
func (p *visitPage) statusButtons(v care.Visit) app.UI {
	current := p.shift.Outbox().VisitStatus(v.ID)
	return app.Div().Class("status").Body(
		app.P().Class("status-now").Attr("data-testid", "visit-status").Text(statusLine(p.shift, current)),
		app.Div().Class("status-buttons").Body(
			app.Range(care.VisitStatuses()).Slice(func(i int) app.UI {
				st := care.VisitStatuses()[i]
				class := "btn"
				if current != nil && current.Status == st {
					class = "btn btn-primary"
				}
				return app.Button().Class(class).Attr("data-testid", "status-"+st).Disabled(p.busy).
					Text(p.t("visit.set." + st)).
					OnClick(func(ctx app.Context, e app.Event) { p.setStatus(ctx, v, st) })
			}),
		),
	)
}

func (p *visitPage) setStatus(ctx app.Context, v care.Visit, status string) {
	if p.busy {
		return
	}
	p.busy = true
	at := p.shift.Clock().Wall().UTC()
	r := care.Record{Type: care.RecordVisitStatus, PatientID: v.PatientID, VisitID: v.ID, Status: status, At: &at}
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := p.shift.Outbox().Write(c, r)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.flash = p.t("error.not_saved")
			}
		})
	})
}

// waitingCosigns lists the doses this phone gave that showed a code,
// each with its code and a button to show it large again.
func (p *visitPage) waitingCosigns(recs []shift.LocalRecord, patientID string, show func(app.Context, string, string)) app.UI {
	waiting := shift.WaitingCosigns(recs, patientID)
	if len(waiting) == 0 {
		return app.Text("")
	}
	return app.Section().Class("card").Attr("data-testid", "cosign-waiting").Body(
		app.Range(waiting).Slice(func(i int) app.UI {
			r := waiting[i]
			return app.P().Body(
				app.Text(r.Medication+": "+p.t("cosign.waiting", care.FormatCosignCode(r.CosignCode))+" "),
				app.Button().Class("btn").Attr("data-testid", "cosign-show").Text(p.t("cosign.show_again")).
					OnClick(func(ctx app.Context, e app.Event) { show(ctx, r.CosignCode, r.Medication) }),
			)
		}),
	)
}

// doseList shows the doses due at the visit, each with what was signed
// and a button to sign, and a button for an unscheduled dose.
func (p *visitPage) doseList(b *wire.Bundle, v care.Visit) app.UI {
	var doses []care.ScheduledDose
	for _, d := range b.Medications {
		if d.VisitID == v.ID {
			doses = append(doses, d)
		}
	}
	s := p.shift
	lang := s.Prefs().Lang()
	return app.Section().Class("card").Attr("data-testid", "doses").Body(
		app.H2().Text(s.T("doses.title")),
		app.If(len(doses) == 0, func() app.UI { return app.P().Class("muted").Text(s.T("doses.none")) }),
		app.Ul().Class("dose-list").Body(
			app.Range(doses).Slice(func(i int) app.UI {
				d := doses[i]
				done := s.Outbox().DoseRecords(d.ID)
				label := s.T("doses.sign")
				class := "btn btn-primary"
				if len(done) > 0 {
					label, class = s.T("doses.sign_again"), "btn"
				}
				return app.Li().Class("dose").Attr("data-testid", "dose").Body(
					app.Div().Class("dose-main").Body(
						app.Strong().Text(i18n.Time(lang, d.Due.Local())+" "+d.Medication),
						app.Span().Text(" "+d.Dose+" · "+d.Route),
						app.If(d.DoubleCheck, func() app.UI {
							return app.Span().Class("tag tag-vital").Text(s.T("doses.double_check"))
						}),
						app.If(d.Controlled, func() app.UI {
							return app.Span().Class("tag tag-vital").Text(s.T("dose.controlled"))
						}),
						app.Range(done).Slice(func(j int) app.UI {
							r := done[j]
							return app.Div().Class("dose-done").Body(app.Text(summary(s, r.Record)+" "), syncState(s, r))
						}),
					),
					app.Button().Class(class).Attr("data-testid", "med-sign").Text(label).
						OnClick(func(ctx app.Context, e app.Event) {
							if len(done) > 0 && !app.Window().Call("confirm", s.T("doses.confirm_again")).Bool() {
								return
							}
							dd := d
							p.signing = &dd
							p.openForm(ctx)
						}),
				)
			}),
		),
		app.Button().Class("btn btn-block").Attr("data-testid", "med-unscheduled").Text(s.T("doses.unscheduled")).
			OnClick(func(ctx app.Context, e app.Event) {
				p.unscheduled = true
				p.openForm(ctx)
			}),
	)
}

// prnList shows the patient's as-needed medications, each with its
// limits, when it was last given, and a button to give it.
func (p *visitPage) prnList(b *wire.Bundle, pt care.Patient) app.UI {
	if len(pt.PRN) == 0 {
		return app.Text("")
	}
	s := p.shift
	lang := s.Prefs().Lang()
	now := s.Clock().Wall()
	local := s.Outbox().Records(pt.ID)
	return app.Section().Class("card").Attr("data-testid", "prn").Body(
		app.H2().Text(s.T("prn.title")),
		app.P().Class("muted small").Text(s.T("prn.hint")),
		app.Ul().Class("doses").Body(
			app.Range(pt.PRN).Slice(func(i int) app.UI {
				m := pt.PRN[i]
				doses := shift.PRNDosesOf(b, local, pt.ID, m, now)
				return app.Li().Class("dose").Attr("data-testid", "prn-row").Body(
					app.Div().Body(
						app.Strong().Text(m.Medication),
						app.P().Class("muted small").Text(prnRule(s, m)),
						app.P().Class("muted small").Text(s.T("prn.indications", strings.Join(m.Indications, ", "))),
						app.If(len(doses) > 0, func() app.UI {
							return app.P().Class("small").Attr("data-testid", "prn-last").
								Text(s.T("prn.last", i18n.Time(lang, doses[len(doses)-1].At.Local())))
						}),
					),
					app.Button().Class("btn btn-primary").Attr("data-testid", "prn-give").Text(s.T("prn.give")).
						OnClick(func(ctx app.Context, e app.Event) {
							p.prn = &m
							p.openForm(ctx)
						}),
				)
			}),
		),
	)
}

// pendingEffects asks for the effect of each PRN dose given on this
// phone that has none yet: from its evaluation time, as the first thing
// on the visit.
func (p *visitPage) pendingEffects(b *wire.Bundle, pt care.Patient) app.UI {
	s := p.shift
	pending := shift.PendingEffects(b, s.Outbox().Records(pt.ID), pt.ID)
	if len(pending) == 0 {
		return app.Text("")
	}
	lang := s.Prefs().Lang()
	now := s.Clock().Wall()
	return app.Section().Class("card").Attr("data-testid", "prn-effects").Body(
		app.H2().Text(s.T("prn.effect.title")),
		app.Ul().Class("doses").Body(
			app.Range(pending).Slice(func(i int) app.UI {
				pe := pending[i]
				d := pe.Dose.Record
				given := i18n.Time(lang, d.AdministeredAt.Local())
				text := s.T("prn.effect.pending", d.Medication, given, i18n.Time(lang, pe.DueAt.Local()))
				class := "btn"
				if pe.Due(now) {
					text, class = s.T("prn.effect.due", d.Medication, given), "btn btn-primary"
				}
				return app.Li().Class("dose").Attr("data-testid", "prn-effect-pending").Attr("data-due", pe.Due(now)).Body(
					app.P().Text(text),
					app.Button().Class(class).Attr("data-testid", "prn-effect-open").Text(s.T("prn.effect.evaluate")).
						OnClick(func(ctx app.Context, e app.Event) {
							p.effectOf = &d
							p.openForm(ctx)
						}),
				)
			}),
		),
	)
}

func backLink(own bool) string {
	if own {
		return "/"
	}
	return "/unit"
}

func backLabel(own bool) string {
	if own {
		return "nav.back_to_visits"
	}
	return "nav.back_to_unit"
}

// emergencyGate asks why the worker opens a patient who is not on their own
// list. The reason travels to the coordinator in an access record.
type emergencyGate struct {
	app.Compo
	shift *shift.Shift
	// Patient and Worker are exported so that a mounted gate always asks
	// about the patient the page shows.
	Patient    care.Patient
	Worker     string
	forPatient string
	reason     string
	busy       bool
	problem    string
}

func (g *emergencyGate) Render() app.UI {
	s := g.shift
	if g.forPatient != g.Patient.ID {
		g.forPatient, g.reason, g.problem = g.Patient.ID, "", ""
	}
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(g.submit).Attr("data-testid", "emergency-gate").Body(
		app.H2().Text(g.Patient.Name),
		app.P().Text(s.T("emergency.explain", g.Worker)),
		app.Label().For("emergency-reason").Text(s.T("emergency.reason")),
		app.Textarea().ID("emergency-reason").Attr("data-testid", "emergency-reason").Attr("rows", 3).
			Required(true).Attr("maxlength", 500).Text(g.reason).OnInput(g.ValueTo(&g.reason)),
		app.If(g.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(g.problem)
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "emergency-open").
			Disabled(g.busy).Text(s.T("emergency.open")),
		app.A().Href("/unit").Class("btn btn-block").Text(s.T("emergency.cancel")),
	)
}

func (g *emergencyGate) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if g.busy {
		return
	}
	if strings.TrimSpace(g.reason) == "" {
		g.problem = g.shift.T("emergency.reason_required")
		return
	}
	g.busy, g.problem = true, ""
	reason, id := g.reason, g.Patient.ID
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := g.shift.Outbox().OpenEmergency(c, id, reason)
		ctx.Dispatch(func(ctx app.Context) {
			g.busy = false
			if err != nil {
				g.problem = g.shift.T("error.not_saved")
			}
		})
	})
}

func notFound(s *shift.Shift) app.UI {
	return app.Div().Class("card").Body(
		app.P().Text(s.T("error.not_found")),
		app.A().Href("/").Class("btn").Text(s.T("nav.back_to_visits")),
	)
}

// personCard is what a worker needs at the door: address and access,
// warnings and allergies first, then equipment, people to call.
func personCard(s *shift.Shift, pt care.Patient) app.UI {
	prio := "priority." + string(rune('0'+pt.Priority))
	return app.Section().Class("card person-card").Attr("data-testid", "person-card").Body(
		app.H2().Body(
			app.Text(pt.Name),
			app.If(pt.BirthDate != "", func() app.UI { return app.Span().Class("muted small").Text(" · " + pt.BirthDate) }),
		),
		app.If(pt.Priority.Valid(), func() app.UI {
			return app.P().Body(app.Span().Class("tag tag-p" + string(rune('0'+pt.Priority))).Text(s.T(prio)))
		}),
		app.If(len(pt.Warnings) > 0 || len(pt.Allergies) > 0, func() app.UI {
			return app.Div().Class("alert").Attr("role", "note").Body(
				app.If(len(pt.Warnings) > 0, func() app.UI {
					return app.P().Body(app.Strong().Text(s.T("card.warnings")+": "), app.Text(strings.Join(pt.Warnings, " · ")))
				}),
				app.If(len(pt.Allergies) > 0, func() app.UI {
					return app.P().Body(app.Strong().Text(s.T("card.allergies")+": "), app.Text(strings.Join(pt.Allergies, " · ")))
				}),
			)
		}),
		app.Dl().Class("facts").Body(
			fact(s.T("card.address"), app.Text(pt.Address)),
			fact(s.T("card.access"), app.Text(pt.AccessInfo)),
			app.If(len(pt.Equipment) > 0, func() app.UI {
				return fact(s.T("card.equipment"), app.Ul().Body(app.Range(pt.Equipment).Slice(func(i int) app.UI {
					e := pt.Equipment[i]
					return app.Li().Body(
						app.Text(e.Name),
						app.If(e.LifeCritical, func() app.UI { return app.Span().Class("tag tag-vital").Text(s.T("card.life_critical")) }),
						app.If(e.PowerDependent, func() app.UI { return app.Span().Class("tag tag-power").Text(s.T("card.power")) }),
						app.If(e.Note != "", func() app.UI { return app.Span().Class("muted").Text(" – " + e.Note) }),
					)
				})))
			}),
			fact(s.T("card.nurse"), contactLine(pt.ResponsibleNurse)),
			fact(s.T("card.gp"), contactLine(pt.GP)),
			app.If(len(pt.Relatives) > 0, func() app.UI {
				return fact(s.T("card.relatives"), app.Ul().Body(app.Range(pt.Relatives).Slice(func(i int) app.UI {
					return app.Li().Body(contactLine(pt.Relatives[i]))
				})))
			}),
		),
	)
}

func fact(label string, value app.UI) app.UI {
	return app.Div().Class("fact").Body(app.Dt().Text(label), app.Dd().Body(value))
}

// contactLine shows a name, what they are to the patient, and a number one
// tap calls.
func contactLine(c care.Contact) app.UI {
	label := c.Name
	if c.Relation != "" {
		label += " (" + c.Relation + ")"
	}
	return app.Span().Body(
		app.Text(label+" "),
		app.If(c.Phone != "", func() app.UI {
			return app.A().Class("phone").Href("tel:" + strings.ReplaceAll(c.Phone, " ", "")).Text(c.Phone)
		}),
	)
}
