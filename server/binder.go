package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"beredskap/app/i18n"
	"beredskap/internal/binder"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// BinderSource is what the paper binder is made from: the accounts, the
// plan and the routines.
type BinderSource interface {
	store.Accounts
	store.Schedule
	store.Routines
}

// BinderData gathers one unit's binder for the day that holds day (in
// loc): its patients, the day's visits and doses, the routines that apply
// to it and the names of the workers. The command line and the coordinator
// page print from the same data.
func BinderData(ctx context.Context, db BinderSource, unit string, day time.Time, loc *time.Location, lang string) (binder.Data, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return binder.Data{}, fmt.Errorf("binder: units: %w", err)
	}
	i := slices.IndexFunc(units, func(u care.Unit) bool { return u.ID == unit })
	if i < 0 {
		return binder.Data{}, wire.Errorf(wire.CodeNotFound, "no unit %q", unit).WithKey(keyNotFound)
	}
	if !slices.Contains(i18n.Languages(), lang) {
		return binder.Data{}, care.Invalid("lang", "lang must be one of "+strings.Join(i18n.Languages(), ", "), care.KeyOneOf, strings.Join(i18n.Languages(), ", "))
	}
	day = day.In(loc)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	d := binder.Data{Unit: units[i], Day: from, Location: loc, Lang: lang, Workers: map[string]string{}}
	if d.Patients, err = db.PatientsByUnit(ctx, unit); err != nil {
		return binder.Data{}, fmt.Errorf("binder: patients: %w", err)
	}
	if d.Visits, err = db.VisitsByUnit(ctx, unit, from, to); err != nil {
		return binder.Data{}, fmt.Errorf("binder: visits: %w", err)
	}
	for _, p := range d.Patients {
		doses, err := db.DosesByPatient(ctx, p.ID, from, to)
		if err != nil {
			return binder.Data{}, fmt.Errorf("binder: doses: %w", err)
		}
		d.Doses = append(d.Doses, doses...)
	}
	routines, err := db.Routines(ctx)
	if err != nil {
		return binder.Data{}, fmt.Errorf("binder: routines: %w", err)
	}
	for _, r := range routines {
		if r.AppliesTo([]string{unit}) {
			d.Routines = append(d.Routines, r)
		}
	}
	accounts, err := db.Accounts(ctx)
	if err != nil {
		return binder.Data{}, fmt.Errorf("binder: users: %w", err)
	}
	for _, a := range accounts {
		d.Workers[a.ID] = a.Name
	}
	return d, nil
}

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
	d, err := BinderData(r.Context(), s.db, unit, day, s.cfg.Location, lang)
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
