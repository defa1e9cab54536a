package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// recordList shows records with where each stands with the server.
func recordList(s *shift.Shift, b *wire.Bundle, recs []shift.LocalRecord, withPatient bool) app.UI {
	lang := s.Prefs().Lang()
	return app.Ul().Class("record-list").Body(
		app.Range(recs).Slice(func(i int) app.UI {
			r := recs[len(recs)-1-i] // newest first
			return app.Li().Class("record").Attr("data-testid", "record").Attr("data-type", string(r.Type)).Body(
				app.Div().Class("record-head").Body(
					app.Strong().Text(i18n.Time(lang, r.CreatedAt.Local())+" "+s.T("record.type."+string(r.Type))),
					syncState(s, r),
				),
				app.If(withPatient && b != nil, func() app.UI {
					pt, _ := b.Patient(r.PatientID)
					return app.Div().Class("muted small").Text(pt.Name)
				}),
				app.Div().Class("record-summary").Text(summary(s, r.Record)),
				app.If(r.State == shift.OutboxRejected, func() app.UI {
					return app.Div().Class("error small").Text(s.T("sync.rejected_because", shift.RejectionText(s.Prefs().Lang(), r)))
				}),
			)
		}),
	)
}

// syncState is the record's state chip: waiting, sent, held, refused.
func syncState(s *shift.Shift, r shift.LocalRecord) app.UI {
	return app.Span().Class("chip chip-"+r.State).Attr("data-testid", "sync-state").Attr("data-state", r.State).
		Text(s.T("sync.state." + r.State))
}

// summary says in a line what a record holds.
func summary(s *shift.Shift, r care.Record) string {
	lang := s.Prefs().Lang()
	switch r.Type {
	case care.RecordNote:
		return truncate(r.Text, 160)
	case care.RecordMedication:
		out := r.Medication + " " + r.Dose + " – " + s.T("dose.status."+r.Status)
		if r.AdministeredAt != nil {
			out += " " + i18n.Time(lang, r.AdministeredAt.Local())
		}
		if r.Reason != "" {
			out += " (" + r.Reason + ")"
		}
		if r.CosignerName != "" {
			out += " · " + s.T("dose.cosigned_by", r.CosignerName)
		}
		if r.Indication != "" {
			out += " · " + s.T("prn.summary.indication", r.Indication)
		}
		if r.OverrideReason != "" {
			out += " · " + s.T("prn.summary.override", r.OverrideReason)
		}
		return out
	case care.RecordPRNEffect:
		out := s.T("prn.effect." + r.Effect)
		if r.Text != "" {
			out += ": " + truncate(r.Text, 120)
		}
		return out
	case care.RecordDeviation:
		return s.T("deviation.category."+r.Category) + ", " + s.T("deviation.severity."+r.Severity) + ": " + truncate(r.Description, 120)
	case care.RecordVisitStatus:
		return s.T("visit.status." + r.Status)
	case care.RecordAccess:
		return r.Reason
	case care.RecordCosign:
		return s.T("record.type.cosign") + ": " + r.Medication + " " + r.Dose + " · " + care.FormatCosignCode(r.CosignCode)
	}
	return ""
}

// statusLine says the visit's latest status, e.g. "Started 07:32".
func statusLine(s *shift.Shift, r *shift.LocalRecord) string {
	if r == nil {
		return s.T("visit.status.none")
	}
	at := r.CreatedAt
	if r.At != nil {
		at = *r.At
	}
	return s.T("visit.status."+r.Status) + " " + i18n.Time(s.Prefs().Lang(), at.Local())
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
