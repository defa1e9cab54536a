// Package bundle builds a worker's shift bundle: the visits, person cards,
// doses, routines and announcements the phone holds through an outage.
package bundle

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Config says how long a bundle lives and which calendar day "today" is.
type Config struct {
	// OfflineFor is how long the bundle may be used offline.
	OfflineFor time.Duration
	// Location is the municipality's time zone; "today" is its day.
	Location *time.Location
	// IdleLockMinutes is how long the phone stays unlocked without use.
	IdleLockMinutes int
}

// Source is what a bundle is built from: the accounts, the plan, the
// routines, the announcements, and the records (the PRN doses given).
type Source interface {
	store.Accounts
	store.Schedule
	store.Routines
	store.Announcements
	store.Records
	store.Drills
}

// Lookback is how far back before now a bundle reaches at the least.
const Lookback = 4 * time.Hour

// Build assembles the bundle for user on device at now. The worker's own
// list is their visits of the day (and of the Lookback hours before now,
// just after midnight); the unit part is every other visit of their units
// in that time, with those patients' cards, because visits get reassigned
// by phone during an outage.
func Build(ctx context.Context, db Source, user care.User, deviceID string, now time.Time, cfg Config) (wire.Bundle, store.IssuedBundle, error) {
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	now = now.UTC()
	expires := now.Add(cfg.OfflineFor)
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	to := midnight.AddDate(0, 0, 1)
	if expires.After(to) {
		to = expires // a night shift runs past midnight
	}
	// The day so far, and at least the hours just passed: a phone that
	// fetches its shift just after midnight keeps the late evening's
	// visits and doses that are still being done or written up.
	from := midnight
	if back := now.Add(-Lookback); back.Before(from) {
		from = back
	}

	b := wire.Bundle{
		ID: uuid.NewString(), IssuedAt: now, ExpiresAt: expires,
		UserID: user.ID, UserName: user.Name, DeviceID: deviceID,
		IdleLockMinutes: cfg.IdleLockMinutes,
		Visits:          []care.Visit{}, Patients: []care.Patient{}, Medications: []care.ScheduledDose{},
		Routines: []care.Routine{}, Announcements: []care.Announcement{}, Units: []care.Unit{},
		Colleagues: []wire.Colleague{},
	}
	issued := store.IssuedBundle{ID: b.ID, UserID: user.ID, DeviceID: deviceID, IssuedAt: now, ExpiresAt: expires}

	units, err := db.Units(ctx)
	if err != nil {
		return b, issued, fmt.Errorf("build bundle: %w", err)
	}
	for _, u := range units {
		if slices.Contains(user.Units, u.ID) {
			b.Units = append(b.Units, u)
		}
	}

	accounts, err := db.Accounts(ctx)
	if err != nil {
		return b, issued, fmt.Errorf("build bundle: colleagues: %w", err)
	}
	for _, a := range accounts {
		if a.Role.WorksShifts() && !a.Disabled && slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(user.Units, u) }) {
			b.Colleagues = append(b.Colleagues, wire.Colleague{ID: a.ID, Name: a.Name, Role: a.Role})
		}
	}

	own := map[string]bool{}
	seen := map[string]bool{}
	var patientIDs []string
	for _, unit := range user.Units {
		visits, err := db.VisitsByUnit(ctx, unit, from, to)
		if err != nil {
			return b, issued, fmt.Errorf("build bundle: visits: %w", err)
		}
		for _, v := range visits {
			b.Visits = append(b.Visits, v)
			if v.WorkerID == user.ID {
				own[v.PatientID] = true
			}
			if !seen[v.PatientID] {
				seen[v.PatientID] = true
				patientIDs = append(patientIDs, v.PatientID)
			}
		}
	}
	sort.SliceStable(b.Visits, func(i, j int) bool { return b.Visits[i].Start.Before(b.Visits[j].Start) })

	for _, id := range patientIDs {
		p, err := db.Patient(ctx, id)
		if err != nil {
			return b, issued, fmt.Errorf("build bundle: patient %s: %w", id, err)
		}
		b.Patients = append(b.Patients, p)
		if own[id] {
			issued.OwnPatients = append(issued.OwnPatients, id)
		} else {
			issued.UnitPatients = append(issued.UnitPatients, id)
		}
		if strings.TrimSpace(p.AccessInfo) != "" {
			// Recorded for the lost-phone exposure report: the cards
			// whose key-box code or door access a thief may now know.
			issued.AccessPatients = append(issued.AccessPatients, id)
		}
		doses, err := db.DosesByPatient(ctx, id, from, to)
		if err != nil {
			return b, issued, fmt.Errorf("build bundle: doses: %w", err)
		}
		b.Medications = append(b.Medications, doses...)
		prn, err := prnDoses(ctx, db, p, now)
		if err != nil {
			return b, issued, err
		}
		b.PRNDoses = append(b.PRNDoses, prn...)
	}
	sort.SliceStable(b.Medications, func(i, j int) bool { return b.Medications[i].Due.Before(b.Medications[j].Due) })
	sort.SliceStable(b.PRNDoses, func(i, j int) bool { return b.PRNDoses[i].AdministeredAt.Before(b.PRNDoses[j].AdministeredAt) })

	routines, err := db.Routines(ctx)
	if err != nil {
		return b, issued, fmt.Errorf("build bundle: routines: %w", err)
	}
	for _, r := range routines {
		if r.AppliesTo(user.Units) {
			b.Routines = append(b.Routines, r)
		}
	}
	anns, err := db.Announcements(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return b, issued, fmt.Errorf("build bundle: announcements: %w", err)
	}
	for _, a := range anns {
		if a.Posted.After(now) {
			continue // scheduled for later
		}
		if a.AddressedTo(user.ID, user.Units) {
			b.Announcements = append(b.Announcements, a)
		}
	}
	drills, err := db.Drills(ctx)
	if err != nil {
		return b, issued, fmt.Errorf("build bundle: drills: %w", err)
	}
	for _, d := range drills {
		if !d.Overlaps(now, expires) || !slices.ContainsFunc(d.Units, func(u string) bool { return slices.Contains(user.Units, u) }) {
			continue
		}
		b.Drills = append(b.Drills, wire.Drill{ID: d.ID, Units: d.Units, Title: d.Title, Scenario: d.Scenario, Start: d.Start, End: d.End})
		issued.Drills = append(issued.Drills, d.ID)
	}
	return b, issued, nil
}

// prnDoses returns the as-needed doses given to a patient with PRN
// medications in the 24 hours before now: those the server holds, void
// ones aside (entered in error); held ones count, since the dose may
// really have been given. A dose given in that time was received in it
// too, so only the records received since then are read.
func prnDoses(ctx context.Context, db store.Records, p care.Patient, now time.Time) ([]wire.PRNDose, error) {
	if len(p.PRN) == 0 {
		return nil, nil
	}
	since := now.Add(-24 * time.Hour)
	var out []wire.PRNDose
	cursor := ""
	for {
		// A drill's doses were never given: they warn of nothing.
		recs, next, err := db.ListRecords(ctx, store.RecordFilter{Patient: p.ID, Type: care.RecordMedication, Since: since, Drill: store.DrillNone, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("build bundle: PRN doses: %w", err)
		}
		for _, r := range recs {
			if r.PRNID == "" || r.Status != care.DoseGiven || r.AdministeredAt == nil || r.State == store.StateVoid ||
				r.AdministeredAt.Before(since) || r.AdministeredAt.After(now) {
				continue
			}
			d := wire.PRNDose{ID: r.ID, PatientID: r.PatientID, Medication: r.Medication, AdministeredAt: r.AdministeredAt.UTC()}
			if m, ok := p.PRNByID(r.PRNID); ok {
				d.Dose = m.Dose
			}
			out = append(out, d)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
