package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"beredskap/internal/binder"
	"beredskap/internal/care"
	"beredskap/internal/store"
)

// binderPDF is GET /api/v1/binder.pdf?unit=&date=YYYY-MM-DD&lang= or
// ?unit=&from=&to=: the printable emergency binder of one of the caller's
// units, for one day or for each day of a range (inclusive, at most
// binder.MaxDays; before weekends and holidays the routines ask for every
// day on paper). Printing health data is an export, so it leaves an audit
// entry.
func (s *Server) binderPDF(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	unit, ok := s.printUnit(w, r, units)
	if !ok {
		return
	}
	first, n, err := binder.Range(q.Get("date"), q.Get("from"), q.Get("to"), s.cfg.Now(), s.cfg.Location)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = "nb"
	}
	days, err := binder.LoadRange(r.Context(), s.db, unit, first, n, s.cfg.Location, lang)
	if err != nil && r.Context().Err() != nil {
		return // the client went away
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now()
	visits := 0
	for i := range days {
		days[i].Generated = now
		visits += len(days[i].Visits)
	}
	var buf bytes.Buffer
	// The request's context reaches the layout: a client that goes away
	// stops the work, and there is no one to answer.
	if err := binder.RenderDays(r.Context(), &buf, days); err != nil {
		if r.Context().Err() != nil {
			s.log.Info("binder not finished: the client went away", "unit", unit)
			return
		}
		s.writeError(w, r, fmt.Errorf("render binder: %w", err))
		return
	}
	from, to := days[0].Day.Format(time.DateOnly), days[len(days)-1].Day.Format(time.DateOnly)
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditExport, Subject: unit,
		Detail: fmt.Sprintf("format=binder date=%s to=%s days=%d patients=%d visits=%d", from, to, n, len(days[0].Patients), visits)})
	name := "binder-" + from
	if n > 1 {
		name += "_" + to
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

// printUnit reads the unit a printout is for: required unless the caller
// has just one, and one of the caller's.
func (s *Server) printUnit(w http.ResponseWriter, r *http.Request, units []string) (string, bool) {
	unit := r.URL.Query().Get("unit")
	switch {
	case unit == "" && len(units) == 1:
		unit = units[0]
	case unit == "":
		s.writeError(w, r, care.Invalid("unit", "unit is required", care.KeyRequired))
		return "", false
	case !inScope(units, unit):
		s.writeError(w, r, unitNotYours(unit))
		return "", false
	}
	return unit, true
}

// equipmentPDF is GET /api/v1/equipment.pdf?unit=&week=YYYY-Www&lang=:
// the weekly list of the patients with power-dependent or life-critical
// equipment, a medication dispenser or a safety alarm, with what to do if
// the power fails, relatives and the responsible nurse. Without unit it
// covers all of the caller's units (every unit for an admin). An export
// of health data, so audited.
func (s *Server) equipmentPDF(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	want := units
	if u := q.Get("unit"); u != "" {
		if !inScope(units, u) {
			s.writeError(w, r, unitNotYours(u))
			return
		}
		want = []string{u}
	}
	week, err := binder.ParseWeek(q.Get("week"), s.cfg.Now(), s.cfg.Location)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = "nb"
	}
	d, err := binder.LoadEquipment(r.Context(), s.db, want, week, s.cfg.Location, lang)
	if err != nil && r.Context().Err() != nil {
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Generated = s.cfg.Now()
	var buf bytes.Buffer
	if err := binder.RenderEquipment(r.Context(), &buf, d); err != nil {
		if r.Context().Err() != nil {
			return
		}
		s.writeError(w, r, fmt.Errorf("render equipment list: %w", err))
		return
	}
	subject := "all"
	if len(want) == 1 {
		subject = want[0]
	} else if want != nil {
		subject = fmt.Sprint(want)
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditExport, Subject: subject,
		Detail: fmt.Sprintf("format=equipment week=%s units=%d patients=%d", binder.WeekName(week), len(d.Units), len(d.Listed()))})
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="equipment-`+binder.WeekName(week)+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}
