package desk

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// DrillSource is what a drill's report reads: the people and the shifts
// issued to them, the plan, the records and the drills.
type DrillSource interface {
	reconcile.Store
	store.Accounts
	store.Drills
}

// DrillView is a drill as the desk shows it, with the name of who
// started it.
func DrillView(d store.Drill, names map[string]string) wire.Drill {
	return wire.Drill{ID: d.ID, Units: d.Units, Title: d.Title, Scenario: d.Scenario, Start: d.Start, End: d.End,
		StartedBy: d.StartedBy, StartedName: names[d.StartedBy], Ended: d.Ended, NetworkBack: d.NetworkBack,
		NetworkBackBy: d.NetworkBackBy}
}

// DrillRecords returns every record of the drill, page by page.
func DrillRecords(ctx context.Context, db store.Records, id string) ([]store.StoredRecord, error) {
	return reconcile.AllRecords(ctx, db, nil, time.Time{}, id)
}

// DrillReport is what the drill showed: who took part (whose phones held
// it in a bundle, who wrote its records), what was recorded, the findings
// its records produce by the rules of the real ones, over its records
// only, and each phone's time to sync after network back.
func DrillReport(ctx context.Context, db DrillSource, d store.Drill, now time.Time, offlineFor time.Duration) (wire.DrillReport, error) {
	accts, err := db.Accounts(ctx)
	if err != nil {
		return wire.DrillReport{}, fmt.Errorf("drill report: accounts: %w", err)
	}
	names := map[string]string{}
	for _, a := range accts {
		names[a.ID] = a.Name
	}
	rep := wire.DrillReport{Drill: DrillView(d, names), ByType: map[string]int{}, Participants: []wire.DrillParticipant{},
		Findings: []wire.Finding{}, Phones: []wire.DrillPhoneSync{}}
	recs, err := DrillRecords(ctx, db, d.ID)
	if err != nil {
		return rep, fmt.Errorf("drill report: records: %w", err)
	}
	rep.Records, rep.Drill.Records = len(recs), len(recs)
	people := map[string]*wire.DrillParticipant{}
	person := func(id string) *wire.DrillParticipant {
		p, ok := people[id]
		if !ok {
			p = &wire.DrillParticipant{UserID: id, Name: names[id]}
			people[id] = p
		}
		return p
	}
	for _, r := range recs {
		rep.ByType[string(r.Type)]++
		person(r.AuthorID).Records++
	}
	// A bundle carries a drill only if it was issued after the drill was
	// created.
	for _, a := range accts {
		if !slices.ContainsFunc(a.Units, func(u string) bool { return slices.Contains(d.Units, u) }) {
			continue
		}
		bs, err := db.IssuedBundles(ctx, a.ID, d.Created)
		if err != nil {
			return rep, fmt.Errorf("drill report: bundles: %w", err)
		}
		if slices.ContainsFunc(bs, func(b store.IssuedBundle) bool { return slices.Contains(b.Drills, d.ID) }) {
			person(a.ID).Held = true
		}
	}
	for _, p := range people {
		rep.Participants = append(rep.Participants, *p)
	}
	slices.SortFunc(rep.Participants, func(a, b wire.DrillParticipant) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})

	// The drill's window: its records were made, and so received, in it
	// or after it; a dose or visit outside it was never the drill's to
	// document.
	in, err := reconcile.Load(ctx, db, reconcile.Scope{Units: d.Units, Since: d.Start, Until: d.End, Now: now,
		OfflineFor: offlineFor, Drill: d.ID})
	if err != nil {
		return rep, fmt.Errorf("drill report: %w", err)
	}
	rep.Findings = append(rep.Findings, reconcile.Compute(in)...)

	if d.NetworkBack != nil {
		back := *d.NetworkBack
		phones := map[string]*wire.DrillPhoneSync{}
		for _, r := range recs {
			if !r.CreatedAt.Before(back) {
				continue
			}
			p, ok := phones[r.DeviceID]
			if !ok {
				p = &wire.DrillPhoneSync{DeviceID: r.DeviceID, UserID: r.AuthorID, Name: names[r.AuthorID], FirstAt: r.Received, LastAt: r.Received}
				phones[r.DeviceID] = p
			}
			p.Records++
			if r.Received.Before(p.FirstAt) {
				p.FirstAt = r.Received
			}
			if r.Received.After(p.LastAt) {
				p.LastAt = r.Received
			}
		}
		for _, p := range phones {
			p.FirstSeconds = max(0, int64(p.FirstAt.Sub(back)/time.Second))
			p.LastSeconds = max(0, int64(p.LastAt.Sub(back)/time.Second))
			rep.Phones = append(rep.Phones, *p)
		}
		slices.SortFunc(rep.Phones, func(a, b wire.DrillPhoneSync) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.DeviceID, b.DeviceID))
		})
	}
	return rep, nil
}
