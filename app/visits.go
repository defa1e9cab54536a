package app

import (
	"sort"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// visitsPage is the home page: today's visits of the logged-in worker in
// time order. Without an open shift it shows what opens one.
type visitsPage struct {
	page
}

func (p *visitsPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *visitsPage) Render() app.UI {
	if ui, ok := p.gate(); !ok {
		return p.frame("visits", p.t("app.name"), ui)
	}
	b := p.shift.Bundle()
	lang := p.shift.Prefs().Lang()
	own := OwnVisits(b)
	now := time.Now()
	return p.frame("visits", p.t("visits.title"),
		p.nextVisitCard(own),
		app.P().Class("subtitle").Text(p.t("visits.summary", i18n.Weekday(lang, now), i18n.Date(lang, now), len(own))),
		announcementList(p.shift),
		p.effectsDue(b),
		app.A().Href("/cosign").Class("btn btn-block").Attr("data-testid", "cosign-link").Text(p.t("cosign.title")),
		app.If(len(own) == 0, func() app.UI { return app.P().Class("card").Text(p.t("visits.none")) }),
		app.Ol().Class("visit-list").Attr("data-testid", "visit-list").Body(
			app.Range(own).Slice(func(i int) app.UI {
				v := own[i]
				pt, _ := b.Patient(v.PatientID)
				return visitRow(lang, v, pt, "", "visit")
			}),
		),
	)
}

// effectsDue lists the PRN doses given on this phone whose effect is
// still to be evaluated, each a tap away from its visit, so that the ask
// reaches the worker who has moved on to the next visit.
func (p *visitsPage) effectsDue(b *wire.Bundle) app.UI {
	s := p.shift
	local := s.Outbox().Records("")
	var pending []shift.PendingEffect
	seen := map[string]bool{}
	for _, r := range local {
		if r.PRNID != "" && !seen[r.PatientID] {
			seen[r.PatientID] = true
			pending = append(pending, shift.PendingEffects(b, local, r.PatientID)...)
		}
	}
	if len(pending) == 0 {
		return app.Text("")
	}
	lang := s.Prefs().Lang()
	now := s.Clock().Wall()
	return app.Section().Class("card").Attr("data-testid", "prn-effects-due").Body(
		app.H2().Text(s.T("prn.effect.title")),
		app.Ul().Class("links").Body(app.Range(pending).Slice(func(i int) app.UI {
			d := pending[i].Dose.Record
			pt, _ := b.Patient(d.PatientID)
			given := i18n.Time(lang, d.AdministeredAt.Local())
			text := s.T("prn.effect.pending", d.Medication, given, i18n.Time(lang, pending[i].DueAt.Local()))
			if pending[i].Due(now) {
				text = s.T("prn.effect.due", d.Medication, given)
			}
			return app.Li().Body(app.A().Href("/visits/" + d.VisitID).Text(pt.Name + ": " + text))
		})),
	)
}

// NextVisit returns the first visit, in time order, that is not finished:
// one in progress, or one not yet started (a missed earlier visit comes
// before a later one). status gives a visit's latest status, "" for none.
func NextVisit(visits []care.Visit, status func(visitID string) string) (care.Visit, bool) {
	for _, v := range visits {
		switch status(v.ID) {
		case "", care.VisitStarted:
			return v, true
		}
	}
	return care.Visit{}, false
}

// nextVisitCard is the top of the home page: the next visit, one tap away
// and large enough to hit with a thumb while walking.
func (p *visitsPage) nextVisitCard(own []care.Visit) app.UI {
	if len(own) == 0 {
		return app.Text("")
	}
	status := func(id string) string {
		if r := p.shift.Outbox().VisitStatus(id); r != nil {
			return r.Status
		}
		return ""
	}
	v, ok := NextVisit(own, status)
	if !ok {
		return app.P().Class("banner banner-ok").Attr("data-testid", "next-visit-none").Text(p.t("visits.all_done"))
	}
	pt, _ := p.shift.Bundle().Patient(v.PatientID)
	lang := p.shift.Prefs().Lang()
	label := p.t("visits.next")
	if status(v.ID) == care.VisitStarted {
		label = p.t("visits.current")
	}
	return app.A().Href("/visits/"+v.ID).Class("next-visit").Attr("data-testid", "next-visit").Body(
		app.Span().Class("next-visit-label").Body(
			app.Text(label+" · "),
			app.Span().Class("nowrap").Text(i18n.Time(lang, v.Start.Local())+"–"+i18n.Time(lang, v.End().Local())),
		),
		app.Span().Class("next-visit-patient").Body(
			app.Text(pt.Name),
			app.If(pt.Priority == care.PriorityVital, func() app.UI {
				return app.Span().Class("tag tag-vital").Text(p.t("priority.1"))
			}),
		),
		app.Span().Class("next-visit-address").Text(pt.Address),
		app.Span().Class("next-visit-go").Attr("aria-hidden", "true").Text(p.t("visits.open_next")+" ›"),
	)
}

// OwnVisits returns the bundle owner's own visits in time order.
func OwnVisits(b *wire.Bundle) []care.Visit {
	return visitsWhere(b, func(v care.Visit) bool { return b.Own(v) })
}

// UnitVisits returns the unit part: the other workers' visits.
func UnitVisits(b *wire.Bundle) []care.Visit {
	return visitsWhere(b, func(v care.Visit) bool { return !b.Own(v) })
}

func visitsWhere(b *wire.Bundle, keep func(care.Visit) bool) []care.Visit {
	var out []care.Visit
	for _, v := range b.Visits {
		if keep(v) {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// visitRow is one visit in a list: time and length, patient, address,
// tasks; worker names whose visit it is in the unit part.
func visitRow(lang string, v care.Visit, pt care.Patient, worker, testid string) app.UI {
	start := v.Start.Local()
	return app.Li().Class("visit").Body(
		app.A().Href("/visits/"+v.ID).Class("visit-link").Attr("data-testid", testid).Body(
			app.Div().Class("visit-time").Body(
				app.Strong().Text(i18n.Time(lang, start)),
				app.Span().Class("muted").Text(i18n.T(lang, "duration.minutes", v.DurationMinutes)),
			),
			app.Div().Class("visit-main").Body(
				app.Div().Class("visit-patient").Body(
					app.Text(pt.Name),
					app.If(pt.Priority == care.PriorityVital, func() app.UI {
						return app.Span().Class("tag tag-vital").Text(i18n.T(lang, "priority.1"))
					}),
				),
				app.Div().Class("visit-address muted").Text(pt.Address),
				app.If(worker != "", func() app.UI {
					return app.Div().Class("visit-worker").Text(i18n.T(lang, "unit.worker", worker))
				}),
				app.Div().Class("visit-tasks").Text(strings.Join(v.Tasks, " · ")),
			),
		),
	)
}

func announcementList(s *shift.Shift) app.UI {
	anns := s.Announcements()
	if len(anns) == 0 {
		return app.Text("")
	}
	lang := s.Prefs().Lang()
	return app.Section().Class("announcements").Attr("aria-label", s.T("announcements.title")).Body(
		app.Range(anns).Slice(func(i int) app.UI {
			a := anns[len(anns)-1-i] // newest first
			class := "banner banner-info"
			if a.Level == "important" {
				class = "banner banner-important"
			}
			return app.Div().Class(class).Attr("data-testid", "announcement").Body(
				app.Strong().Text(i18n.Time(lang, a.Posted.Local())+" "+a.Author+": "),
				app.Span().Text(a.Text),
			)
		}),
	)
}
