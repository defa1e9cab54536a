package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

func routineVersionKey(id string, v int) string { return fmt.Sprintf("routinever/%s/%06d", id, v) }

// Routine returns one emergency routine.
func (db *DB) Routine(ctx context.Context, id string) (care.Routine, error) {
	var r care.Routine
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, routineKey(id), &r) })
	return r, err
}

// SaveRoutine stores a new version of a routine: the version number goes
// up by one, the previous versions are kept, and the change is audited.
func (db *DB) SaveRoutine(ctx context.Context, r care.Routine, by string, now time.Time) (care.Routine, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		var old care.Routine
		err := getJSON(txn, routineKey(r.ID), &old)
		switch {
		case errors.Is(err, store.ErrNotFound):
			r.Version = 1
		case err != nil:
			return err
		default:
			r.Version = old.Version + 1
			if old.Version == 0 { // stored before versions were kept
				r.Version = 2
				old.Version = 1
				if err := putJSON(txn, routineVersionKey(old.ID, 1), old); err != nil {
					return err
				}
			}
		}
		if err := putJSON(txn, routineKey(r.ID), r); err != nil {
			return err
		}
		if err := putJSON(txn, routineVersionKey(r.ID, r.Version), r); err != nil {
			return err
		}
		return appendAudit(txn, now, store.Audit{Time: now, Actor: by, Action: store.AuditRoutine, Subject: r.ID,
			Detail: fmt.Sprintf("version=%d title=%q", r.Version, r.Title)})
	})
	if err != nil {
		return r, fmt.Errorf("save routine: %w", err)
	}
	return r, nil
}

// RoutineVersions lists every kept version of a routine, oldest first.
func (db *DB) RoutineVersions(ctx context.Context, id string) ([]care.Routine, error) {
	var out []care.Routine
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[care.Routine](txn, "routinever/"+id+"/")
		return err
	})
	return out, err
}

// PostAnnouncement stores an announcement and audits it.
func (db *DB) PostAnnouncement(ctx context.Context, a care.Announcement) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, announcementKey(a), a); err != nil {
			return err
		}
		return appendAudit(txn, a.Posted, store.Audit{Time: a.Posted, Actor: a.AuthorID, Action: store.AuditAnnouncement, Subject: a.ID,
			Detail: fmt.Sprintf("level=%s units=%v", a.Level, a.Units)})
	})
}

func outageKey(o store.Outage) string { return "outage/" + sortableTime(o.Start) + "/" + o.ID }

// Outages lists declared outages, newest first.
func (db *DB) Outages(ctx context.Context) ([]store.Outage, error) {
	var out []store.Outage
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.Outage](txn, "outage/")
		return err
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// StartOutage declares an outage begun at o.Start.
func (db *DB) StartOutage(ctx context.Context, o store.Outage) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[store.Outage](txn, "outage/")
		if err != nil {
			return err
		}
		for _, old := range all {
			if old.End == nil {
				return fmt.Errorf("%w: an outage is already active since %s", store.ErrOutageState, old.Start.Format(time.RFC3339))
			}
		}
		// Outages do not overlap: one that began before the last ended
		// would sort before it, and the dashboards' window would be wrong.
		if n := len(all); n > 0 && o.Start.Before(*all[n-1].End) {
			return fmt.Errorf("%w: the last outage ended at %s, after this one would have begun", store.ErrOutageState, all[n-1].End.Format(time.RFC3339))
		}
		if err := putJSON(txn, outageKey(o), o); err != nil {
			return err
		}
		return appendAudit(txn, o.Start, store.Audit{Time: o.Start, Actor: o.StartedBy, Action: store.AuditOutageStart, Subject: o.ID, Detail: fmt.Sprintf("note=%q", o.Note)})
	})
}

// EndOutage ends the active outage at end. An open outage can always be
// ended: it is found wherever it sorts (a store written before outages
// were kept from overlapping may hold one before an ended one), and an
// end before its start ends it at its start.
func (db *DB) EndOutage(ctx context.Context, by string, end time.Time) (store.Outage, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var o store.Outage
	err := db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[store.Outage](txn, "outage/")
		if err != nil {
			return err
		}
		open := -1
		for i, old := range all {
			if old.End == nil {
				open = i
			}
		}
		if open < 0 {
			return fmt.Errorf("%w: no outage is active", store.ErrOutageState)
		}
		o = all[open]
		if end.Before(o.Start) {
			end = o.Start
		}
		o.End, o.EndedBy = &end, by
		if err := putJSON(txn, outageKey(o), o); err != nil {
			return err
		}
		return appendAudit(txn, end, store.Audit{Time: end, Actor: by, Action: store.AuditOutageEnd, Subject: o.ID})
	})
	return o, err
}
