package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
)

// More audit actions, for preparedness.
const (
	AuditPlanImport   = "plan.import"
	AuditRoutine      = "routine.save"
	AuditAnnouncement = "announcement.post"
	AuditOutageStart  = "outage.start"
	AuditOutageEnd    = "outage.end"
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
		case errors.Is(err, ErrNotFound):
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
		return appendAudit(txn, now, Audit{Time: now, Actor: by, Action: AuditRoutine, Subject: r.ID,
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
		return appendAudit(txn, a.Posted, Audit{Time: a.Posted, Actor: a.AuthorID, Action: AuditAnnouncement, Subject: a.ID,
			Detail: fmt.Sprintf("level=%s units=%v", a.Level, a.Units)})
	})
}

// Outage is a declared outage: its start and (once over) its end set the
// window that findings and dashboards look at.
type Outage struct {
	ID        string     `json:"id"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end,omitempty"`
	StartedBy string     `json:"started_by"`
	EndedBy   string     `json:"ended_by,omitempty"`
	Note      string     `json:"note,omitempty"`
}

func outageKey(o Outage) string { return "outage/" + sortableTime(o.Start) + "/" + o.ID }

// ErrOutageState means starting an outage while one is active, or ending
// one when none is.
var ErrOutageState = errors.New("outage state")

// Outages lists declared outages, newest first.
func (db *DB) Outages(ctx context.Context) ([]Outage, error) {
	var out []Outage
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[Outage](txn, "outage/")
		return err
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// StartOutage declares an outage begun at o.Start.
func (db *DB) StartOutage(ctx context.Context, o Outage) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[Outage](txn, "outage/")
		if err != nil {
			return err
		}
		for _, old := range all {
			if old.End == nil {
				return fmt.Errorf("%w: an outage is already active since %s", ErrOutageState, old.Start.Format(time.RFC3339))
			}
		}
		// Outages do not overlap: one that began before the last ended
		// would sort before it, and the dashboards' window would be wrong.
		if n := len(all); n > 0 && o.Start.Before(*all[n-1].End) {
			return fmt.Errorf("%w: the last outage ended at %s, after this one would have begun", ErrOutageState, all[n-1].End.Format(time.RFC3339))
		}
		if err := putJSON(txn, outageKey(o), o); err != nil {
			return err
		}
		return appendAudit(txn, o.Start, Audit{Time: o.Start, Actor: o.StartedBy, Action: AuditOutageStart, Subject: o.ID, Detail: fmt.Sprintf("note=%q", o.Note)})
	})
}

// EndOutage ends the active outage at end. An open outage can always be
// ended: it is found wherever it sorts (a store written before outages
// were kept from overlapping may hold one before an ended one), and an
// end before its start ends it at its start.
func (db *DB) EndOutage(ctx context.Context, by string, end time.Time) (Outage, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var o Outage
	err := db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[Outage](txn, "outage/")
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
			return fmt.Errorf("%w: no outage is active", ErrOutageState)
		}
		o = all[open]
		if end.Before(o.Start) {
			end = o.Start
		}
		o.End, o.EndedBy = &end, by
		if err := putJSON(txn, outageKey(o), o); err != nil {
			return err
		}
		return appendAudit(txn, end, Audit{Time: end, Actor: by, Action: AuditOutageEnd, Subject: o.ID})
	})
	return o, err
}
