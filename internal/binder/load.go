package binder

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
)

// Source is what the paper binder is made from: the accounts, the plan
// and the routines.
type Source interface {
	store.Accounts
	store.Schedule
	store.Routines
}

// Load gathers one unit's binder for the day that holds day (in
// loc): its patients, the day's visits and doses, the routines that apply
// to it and the names of the workers. The command line and the coordinator
// page print from the same data.
func Load(ctx context.Context, db Source, unit string, day time.Time, loc *time.Location, lang string) (Data, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return Data{}, fmt.Errorf("binder: units: %w", err)
	}
	i := slices.IndexFunc(units, func(u care.Unit) bool { return u.ID == unit })
	if i < 0 {
		return Data{}, fmt.Errorf("no unit %q: %w", unit, store.ErrNotFound)
	}
	if !slices.Contains(i18n.Languages(), lang) {
		return Data{}, care.Invalid("lang", "lang must be one of "+strings.Join(i18n.Languages(), ", "), care.KeyOneOf, strings.Join(i18n.Languages(), ", "))
	}
	day = day.In(loc)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	d := Data{Unit: units[i], Day: from, Location: loc, Lang: lang, Workers: map[string]string{}}
	if d.Patients, err = db.PatientsByUnit(ctx, unit); err != nil {
		return Data{}, fmt.Errorf("binder: patients: %w", err)
	}
	if d.Visits, err = db.VisitsByUnit(ctx, unit, from, to); err != nil {
		return Data{}, fmt.Errorf("binder: visits: %w", err)
	}
	for _, p := range d.Patients {
		doses, err := db.DosesByPatient(ctx, p.ID, from, to)
		if err != nil {
			return Data{}, fmt.Errorf("binder: doses: %w", err)
		}
		d.Doses = append(d.Doses, doses...)
	}
	routines, err := db.Routines(ctx)
	if err != nil {
		return Data{}, fmt.Errorf("binder: routines: %w", err)
	}
	for _, r := range routines {
		if r.AppliesTo([]string{unit}) {
			d.Routines = append(d.Routines, r)
		}
	}
	accounts, err := db.Accounts(ctx)
	if err != nil {
		return Data{}, fmt.Errorf("binder: users: %w", err)
	}
	for _, a := range accounts {
		d.Workers[a.ID] = a.Name
	}
	return d, nil
}
