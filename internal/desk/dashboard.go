// Package desk computes what the coordinators' desk shows besides the
// records themselves: the dashboard's counts and the priority list. The
// server's handlers check the caller and the scope and answer with these.
package desk

import (
	"context"

	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// DashboardStore is what the dashboard reads: the desk's records and
// plan, and how findings were resolved.
type DashboardStore interface {
	reconcile.Store
	store.Findings
}

// Dashboard counts a scope's records by state and type and its findings
// by kind, and how many findings are not resolved yet. A quarantined
// record that is still new counts as quarantined.
func Dashboard(ctx context.Context, db DashboardStore, sc reconcile.Scope) (wire.Dashboard, error) {
	in, err := reconcile.Load(ctx, db, sc)
	if err != nil {
		return wire.Dashboard{}, err
	}
	d := wire.Dashboard{Since: sc.Since, Until: sc.Until, States: map[string]int{}, Types: map[string]int{}, Findings: map[string]int{}}
	for _, rec := range in.Records {
		d.Records++
		st := rec.State
		if rec.Quarantined && st == store.StateNew {
			st = store.StateQuarantined
		}
		d.States[st]++
		d.Types[string(rec.Type)]++
	}
	res, err := db.FindingResolutions(ctx)
	if err != nil {
		return wire.Dashboard{}, err
	}
	for _, f := range reconcile.Compute(in) {
		d.Findings[f.Kind]++
		if _, done := res[f.ID]; !done {
			d.Open++
		}
	}
	return d, nil
}
