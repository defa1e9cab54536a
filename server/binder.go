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

// binderPDF is GET /api/v1/binder.pdf?unit=&date=YYYY-MM-DD&lang=: the
// printable emergency binder of one of the caller's units. Printing health
// data is an export, so it leaves an audit entry.
func (s *Server) binderPDF(w http.ResponseWriter, r *http.Request) {
	c, units, ok := s.office(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	unit := q.Get("unit")
	switch {
	case unit == "" && len(units) == 1:
		unit = units[0]
	case unit == "":
		s.writeError(w, r, care.Invalid("unit", "unit is required", care.KeyRequired))
		return
	case !inScope(units, unit):
		s.writeError(w, r, unitNotYours(unit))
		return
	}
	day := s.cfg.Now()
	if v := q.Get("date"); v != "" {
		t, err := time.ParseInLocation(time.DateOnly, v, s.cfg.Location)
		if err != nil {
			s.writeError(w, r, care.Invalid("date", "date must be YYYY-MM-DD", care.KeyDate))
			return
		}
		day = t
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = "nb"
	}
	d, err := binder.Load(r.Context(), s.db, unit, day, s.cfg.Location, lang)
	if err != nil && r.Context().Err() != nil {
		return // the client went away
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Generated = s.cfg.Now()
	var buf bytes.Buffer
	// The request's context reaches the layout: a client that goes away
	// stops the work, and there is no one to answer.
	if err := binder.Render(r.Context(), &buf, d); err != nil {
		if r.Context().Err() != nil {
			s.log.Info("binder not finished: the client went away", "unit", unit)
			return
		}
		s.writeError(w, r, fmt.Errorf("render binder: %w", err))
		return
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditExport, Subject: unit,
		Detail: fmt.Sprintf("format=binder date=%s patients=%d visits=%d", d.Day.Format(time.DateOnly), len(d.Patients), len(d.Visits))})
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="binder-`+d.Day.Format(time.DateOnly)+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}
