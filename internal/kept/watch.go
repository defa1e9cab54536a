package kept

import (
	"context"
	"errors"
	"io"
	"time"

	"beredskap/internal/store"
)

// Watch returns db with every write that changes what the desk keeps
// reported to k once the store has it: records stored and reconciled,
// purges, plans, resolutions and loads. Everything that writes to the
// store goes through the returned store (the server, the retention job,
// the demo's daily plan), so the desk misses nothing; what the store does
// by itself (a large plan it finishes applying after a failure) is read
// by Run's plan check.
func (k *Keeper) Watch(db store.Store) store.Store { return &watched{Store: db, k: k} }

type watched struct {
	store.Store
	k *Keeper
}

// PutRecords stores and reports the records. Exactly once holds in the
// store: when it says the batch was refused, nothing of it is reported;
// when the answer is unclear (an error after the commit may have
// happened), what the store holds is read back.
func (w *watched) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	before := w.k.writing()
	err := w.Store.PutRecords(ctx, recs, audit)
	switch {
	case err == nil:
		w.k.added(recs, before)
	case errors.Is(err, store.ErrRecordExists), errors.Is(err, store.ErrInsufficientStorage):
	default:
		w.readBack(ctx, ids(recs))
	}
	return err
}

// Reconcile reconciles and reports the records changed.
func (w *watched) Reconcile(ctx context.Context, recIDs []string, rc store.Reconciliation) ([]store.StoredRecord, error) {
	out, err := w.Store.Reconcile(ctx, recIDs, rc)
	switch {
	case err == nil:
		w.k.Stored(out)
	case errors.Is(err, store.ErrAlreadyReconciled), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInsufficientStorage):
	default:
		w.readBack(ctx, recIDs)
	}
	return out, err
}

// readBack reports the records among ids the store holds.
func (w *watched) readBack(ctx context.Context, recIDs []string) {
	var found []store.StoredRecord
	for _, id := range recIDs {
		r, err := w.Store.StoredRecordByID(context.WithoutCancel(ctx), id)
		if err == nil {
			found = append(found, r)
		}
	}
	w.k.Stored(found)
}

func ids(recs []store.StoredRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func (w *watched) PurgeReconciled(ctx context.Context, before, now time.Time) (int, error) {
	n, err := w.Store.PurgeReconciled(ctx, before, now)
	w.k.Purged(before)
	return n, err
}

func (w *watched) ApplyPlan(ctx context.Context, p store.Plan) error {
	err := w.Store.ApplyPlan(ctx, p)
	w.k.PlanWritten(err)
	return err
}

func (w *watched) ResolveFinding(ctx context.Context, id string, res store.FindingResolution) error {
	err := w.Store.ResolveFinding(ctx, id, res)
	if err == nil {
		w.k.Resolved(id, res)
	}
	return err
}

func (w *watched) Load(ctx context.Context, r io.Reader) error {
	err := w.Store.Load(ctx, r)
	w.k.Reset()
	return err
}

// Unwrap returns the store watched.
func (w *watched) Unwrap() store.Store { return w.Store }

var _ store.Store = (*watched)(nil)
