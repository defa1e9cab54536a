package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Scope is what a coordinator looks at: some units (nil means all) and
// the outage window.
type Scope struct {
	Units      []string
	Since      time.Time
	Until      time.Time
	Now        time.Time
	OfflineFor time.Duration
	// Drill, when set, reads the records of that drill instead of the
	// real ones: the findings its records produce, by the same rules.
	Drill string
}

// Store is what the desk reads: the plan, the records, the bundles issued
// and the findings already resolved.
type Store interface {
	store.Schedule
	store.Records
	store.Bundles
	store.Findings
}

// AllRecords reads every record received in the window for the units,
// page by page, of the drill selection drill (store.RecordFilter.Drill).
func AllRecords(ctx context.Context, db store.Records, units []string, since time.Time, drill string) ([]store.StoredRecord, error) {
	var out []store.StoredRecord
	cursor := ""
	for {
		page, next, err := db.ListRecords(ctx, store.RecordFilter{Units: units, Since: since, Drill: drill, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// Load gathers the Input for a scope from the store.
func Load(ctx context.Context, db Store, sc Scope) (Input, error) {
	in := Input{Since: sc.Since, Until: sc.Until, Now: sc.Now, OfflineFor: sc.OfflineFor,
		Bundles: map[string]store.IssuedBundle{}, DeviceSeqs: map[string][]uint64{},
		SharedSeqs: map[string]map[uint64][]string{}, UnitOf: map[string]string{}, PRN: map[string][]care.PRNMedication{}}
	units := sc.Units
	if units == nil {
		all, err := db.Units(ctx)
		if err != nil {
			return in, fmt.Errorf("findings: %w", err)
		}
		units = []string{}
		for _, u := range all {
			units = append(units, u.ID)
		}
	}
	// Drill records are never real documentation: the real findings
	// never see them (a drill's own are computed by LoadDrill).
	drill := sc.Drill
	if drill == "" {
		drill = store.DrillNone
	}
	recs, err := AllRecords(ctx, db, sc.Units, sc.Since, drill)
	if err != nil {
		return in, fmt.Errorf("findings: %w", err)
	}
	in.Records = recs
	for _, unit := range units {
		patients, err := db.PatientsByUnit(ctx, unit)
		if err != nil {
			return in, fmt.Errorf("findings: %w", err)
		}
		for _, p := range patients {
			in.UnitOf[p.ID] = unit
			if len(p.PRN) > 0 {
				in.PRN[p.ID] = p.PRN
			}
			doses, err := db.DosesByPatient(ctx, p.ID, sc.Since, sc.Until)
			if err != nil {
				return in, fmt.Errorf("findings: %w", err)
			}
			in.Doses = append(in.Doses, doses...)
		}
		visits, err := db.VisitsByUnit(ctx, unit, sc.Since, sc.Until)
		if err != nil {
			return in, fmt.Errorf("findings: %w", err)
		}
		in.Visits = append(in.Visits, visits...)
	}
	for _, r := range recs {
		if _, ok := in.DeviceSeqs[r.DeviceID]; !ok {
			seqs, shared, err := db.DeviceSeqIndex(ctx, r.DeviceID)
			if err != nil {
				return in, fmt.Errorf("findings: %w", err)
			}
			in.DeviceSeqs[r.DeviceID] = seqs
			if len(shared) > 0 {
				in.SharedSeqs[r.DeviceID] = shared
			}
		}
		if _, ok := in.Bundles[r.BundleID]; !ok && r.BundleID != "" {
			b, err := db.IssuedBundle(ctx, r.BundleID)
			switch {
			case err == nil:
				in.Bundles[r.BundleID] = b
			case !errors.Is(err, store.ErrNotFound):
				return in, fmt.Errorf("findings: %w", err)
			}
		}
	}
	return in, nil
}
