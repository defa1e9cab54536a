package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// The plan: units, patients, visits, doses, routines, announcements.

const (
	tUnits         = "units"
	tPatients      = "patients"
	tVisits        = "visits"
	tDoses         = "doses"
	tRoutines      = "routines"
	tRoutineVers   = "routine_versions"
	tAnnouncements = "announcements"
	tOutages       = "outages"
	tFindings      = "finding_resolutions"
)

// Advisory locks (transaction-scoped) that serialize writers of one kind
// across every node; the audit head is always taken after them.
const (
	// lockPlan: plans and routine saves, so that a scoped plan's check
	// holds until it commits and routine versions count up one by one.
	lockPlan int64 = 0x42524544_00000001
	// lockOutages: the outage list's checks (one open, no overlap).
	lockOutages int64 = 0x42524544_00000002
)

func advisoryLock(ctx context.Context, tx pgx.Tx, key int64) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// lastByID keeps the last of the items sharing an id, in their order: a
// plan that names an item twice stores its last version, as one write
// after another would.
func lastByID[T any](items []T, id func(T) string) []T {
	seen := make(map[string]bool, len(items))
	var out []T
	for i := len(items) - 1; i >= 0; i-- {
		if k := id(items[i]); !seen[k] {
			seen[k] = true
			out = append(out, items[i])
		}
	}
	slices.Reverse(out)
	return out
}

// ApplyPlan upserts the whole plan in one transaction: all of it or
// none. A scoped plan's check reads inside that transaction, under the
// plan lock that every plan takes, so no other plan changes what it read
// before it commits.
func (db *DB) ApplyPlan(ctx context.Context, p store.Plan) error {
	for _, pt := range p.Patients {
		if pt.ID == "" || pt.UnitID == "" {
			return fmt.Errorf("apply plan: patient needs an id and a unit")
		}
	}
	for _, v := range p.Visits {
		if v.ID == "" || v.UnitID == "" || v.PatientID == "" {
			return fmt.Errorf("apply plan: visit needs an id, a unit and a patient")
		}
	}
	for _, d := range p.Doses {
		if d.ID == "" || d.PatientID == "" {
			return fmt.Errorf("apply plan: dose needs an id and a patient")
		}
	}
	units := lastByID(p.Units, func(u care.Unit) string { return u.ID })
	patients := lastByID(p.Patients, func(p care.Patient) string { return p.ID })
	visits := lastByID(p.Visits, func(v care.Visit) string { return v.ID })
	doses := lastByID(p.Doses, func(d care.ScheduledDose) string { return d.ID })
	routines := lastByID(p.Routines, func(r care.Routine) string { return r.ID })
	anns := lastByID(p.Announcements, func(a care.Announcement) string { return a.ID })

	// Sealed before the transaction: the lock is held for the writes only.
	var err error
	seal := func(table, id string, v any) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = db.seal.sealJSON(table, id, v)
		return b
	}
	uIDs, uData := make([]string, len(units)), make([][]byte, len(units))
	for i, u := range units {
		uIDs[i], uData[i] = u.ID, seal(tUnits, u.ID, u)
	}
	pIDs, pUnits, pData := make([]string, len(patients)), make([]string, len(patients)), make([][]byte, len(patients))
	for i, pt := range patients {
		pIDs[i], pUnits[i], pData[i] = pt.ID, pt.UnitID, seal(tPatients, pt.ID, pt)
	}
	vIDs, vUnits, vPatients, vStart, vData := make([]string, len(visits)), make([]string, len(visits)), make([]string, len(visits)), make([]int64, len(visits)), make([][]byte, len(visits))
	for i, v := range visits {
		vIDs[i], vUnits[i], vPatients[i], vStart[i], vData[i] = v.ID, v.UnitID, v.PatientID, ns(v.Start), seal(tVisits, v.ID, v)
	}
	dIDs, dPatients, dDue, dData := make([]string, len(doses)), make([]string, len(doses)), make([]int64, len(doses)), make([][]byte, len(doses))
	for i, d := range doses {
		dIDs[i], dPatients[i], dDue[i], dData[i] = d.ID, d.PatientID, ns(d.Due), seal(tDoses, d.ID, d)
	}
	rIDs, rVersions, rData := make([]string, len(routines)), make([]int32, len(routines)), make([][]byte, len(routines))
	for i, r := range routines {
		rIDs[i], rVersions[i], rData[i] = r.ID, int32(r.Version), seal(tRoutines, r.ID, r)
	}
	aIDs, aPosted, aData := make([]string, len(anns)), make([]int64, len(anns)), make([][]byte, len(anns))
	for i, a := range anns {
		aIDs[i], aPosted[i], aData[i] = a.ID, ns(a.Posted), seal(tAnnouncements, a.ID, a)
	}
	if err != nil {
		return fmt.Errorf("apply plan: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if err := advisoryLock(ctx, tx, lockPlan); err != nil {
			return err
		}
		if p.Scope != nil {
			if err := db.checkScope(ctx, tx, p); err != nil {
				return err
			}
		}
		for _, w := range []struct {
			n    int
			sql  string
			args []any
		}{
			{len(units), `INSERT INTO units (id, data) SELECT * FROM unnest($1::text[], $2::bytea[])
				ON CONFLICT (id) DO UPDATE SET data = excluded.data`, []any{uIDs, uData}},
			{len(patients), `INSERT INTO patients (id, unit_id, data) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
				ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, data = excluded.data`, []any{pIDs, pUnits, pData}},
			{len(visits), `INSERT INTO visits (id, unit_id, patient_id, start_ns, data)
				SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[])
				ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, patient_id = excluded.patient_id,
					start_ns = excluded.start_ns, data = excluded.data`, []any{vIDs, vUnits, vPatients, vStart, vData}},
			{len(doses), `INSERT INTO doses (id, patient_id, due_ns, data) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[])
				ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, due_ns = excluded.due_ns, data = excluded.data`,
				[]any{dIDs, dPatients, dDue, dData}},
			{len(routines), `INSERT INTO routines (id, version, data) SELECT * FROM unnest($1::text[], $2::int[], $3::bytea[])
				ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data`, []any{rIDs, rVersions, rData}},
			{len(anns), `INSERT INTO announcements (id, posted_ns, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
				ON CONFLICT (id) DO UPDATE SET posted_ns = excluded.posted_ns, data = excluded.data`, []any{aIDs, aPosted, aData}},
		} {
			if w.n == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, w.sql, w.args...); err != nil {
				return err
			}
		}
		return db.noteChange(ctx, tx, store.ChangePlan, nil)
	})
	if err != nil {
		return fmt.Errorf("apply plan: %w", err)
	}
	return nil
}

// checkScope refuses a plan that overwrites a patient, visit, dose or
// routine stored for a unit outside p.Scope, or that hangs a visit or
// dose on a stored patient of such a unit (the Badger store's rules, in
// the same order, so that both name the same item).
func (db *DB) checkScope(ctx context.Context, tx pgx.Tx, p store.Plan) error {
	in := func(unit string) bool { return slices.Contains(p.Scope, unit) }
	inPlan := map[string]bool{}
	var patientIDs, visitIDs, doseIDs, routineIDs []string
	for _, pt := range p.Patients {
		inPlan[pt.ID] = true
		patientIDs = append(patientIDs, pt.ID)
	}
	for _, v := range p.Visits {
		visitIDs, patientIDs = append(visitIDs, v.ID), append(patientIDs, v.PatientID)
	}
	for _, d := range p.Doses {
		doseIDs, patientIDs = append(doseIDs, d.ID), append(patientIDs, d.PatientID)
	}
	for _, r := range p.Routines {
		routineIDs = append(routineIDs, r.ID)
	}
	pairs := func(sql string, ids []string) (map[string]string, error) {
		out := map[string]string{}
		if len(ids) == 0 {
			return out, nil
		}
		rows, err := tx.Query(ctx, sql, ids)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, rows.Err()
	}
	visitUnit, err := pairs(`SELECT id, unit_id FROM visits WHERE id = ANY($1)`, visitIDs)
	if err != nil {
		return err
	}
	dosePatient, err := pairs(`SELECT id, patient_id FROM doses WHERE id = ANY($1)`, doseIDs)
	if err != nil {
		return err
	}
	for _, pid := range dosePatient {
		patientIDs = append(patientIDs, pid)
	}
	patientUnit, err := pairs(`SELECT id, unit_id FROM patients WHERE id = ANY($1)`, patientIDs)
	if err != nil {
		return err
	}
	routineUnits := map[string][]string{}
	if len(routineIDs) > 0 {
		rows, err := tx.Query(ctx, `SELECT id, data FROM routines WHERE id = ANY($1)`, routineIDs)
		if err != nil {
			return err
		}
		rs, err := collect[care.Routine](db, tRoutines, rows)
		if err != nil {
			return err
		}
		for _, r := range rs {
			routineUnits[r.ID] = r.Units
		}
	}
	patientOutside := func(id string) bool {
		unit, found := patientUnit[id]
		return found && !in(unit)
	}
	for _, pt := range p.Patients {
		if patientOutside(pt.ID) {
			return &store.ScopeError{What: "patient", Name: pt.SourceID}
		}
	}
	for _, v := range p.Visits {
		if unit, found := visitUnit[v.ID]; found && !in(unit) {
			return &store.ScopeError{What: "visit", Name: v.SourceID}
		}
		if !inPlan[v.PatientID] {
			// The visit takes its unit from its patient as read before.
			if unit, found := patientUnit[v.PatientID]; found && (!in(unit) || unit != v.UnitID) {
				return &store.ScopeError{What: "visit", Name: v.SourceID}
			}
		}
	}
	for _, d := range p.Doses {
		if owner, found := dosePatient[d.ID]; found {
			if unit, known := patientUnit[owner]; !known || !in(unit) {
				return &store.ScopeError{What: "dose", Name: d.SourceID}
			}
		}
		if !inPlan[d.PatientID] && patientOutside(d.PatientID) {
			return &store.ScopeError{What: "dose", Name: d.SourceID}
		}
	}
	for _, r := range p.Routines {
		units, found := routineUnits[r.ID]
		if found && (len(units) == 0 || slices.ContainsFunc(units, func(u string) bool { return !in(u) })) {
			return &store.ScopeError{What: "routine", Name: r.Title}
		}
	}
	return nil
}

// Units lists every unit, by id.
func (db *DB) Units(ctx context.Context) ([]care.Unit, error) {
	return list[care.Unit](ctx, db, "units", tUnits, `SELECT id, data FROM units ORDER BY id`)
}

// Patient returns the person card with the id.
func (db *DB) Patient(ctx context.Context, id string) (care.Patient, error) {
	var p care.Patient
	err := db.one(ctx, nil, "patient", tPatients, id, &p)
	return p, err
}

// PatientsByUnit lists the patients of a unit, by id.
func (db *DB) PatientsByUnit(ctx context.Context, unit string) ([]care.Patient, error) {
	return list[care.Patient](ctx, db, "patients of "+unit, tPatients, `SELECT id, data FROM patients WHERE unit_id = $1 ORDER BY id`, unit)
}

// Visit returns the visit with the id.
func (db *DB) Visit(ctx context.Context, id string) (care.Visit, error) {
	var v care.Visit
	err := db.one(ctx, nil, "visit", tVisits, id, &v)
	return v, err
}

// VisitsByUnit lists a unit's visits that start in [from, to), in time
// order.
func (db *DB) VisitsByUnit(ctx context.Context, unit string, from, to time.Time) ([]care.Visit, error) {
	return list[care.Visit](ctx, db, "visits of "+unit, tVisits,
		`SELECT id, data FROM visits WHERE unit_id = $1 AND start_ns >= $2 AND start_ns < $3 ORDER BY start_ns, id`, unit, ns(from), ns(to))
}

// DosesByPatient lists a patient's doses due in [from, to), in time
// order.
func (db *DB) DosesByPatient(ctx context.Context, patient string, from, to time.Time) ([]care.ScheduledDose, error) {
	return list[care.ScheduledDose](ctx, db, "doses of "+patient, tDoses,
		`SELECT id, data FROM doses WHERE patient_id = $1 AND due_ns >= $2 AND due_ns < $3 ORDER BY due_ns, id`, patient, ns(from), ns(to))
}

// Dose returns the scheduled dose with the id.
func (db *DB) Dose(ctx context.Context, id string) (care.ScheduledDose, error) {
	var d care.ScheduledDose
	err := db.one(ctx, nil, "dose", tDoses, id, &d)
	return d, err
}

// scanPage is how many items a scan reads in one query.
const scanPage = 1000

// ScanPlan gives every patient, then every visit, then every dose, each
// kind in id order, in pages by id, each page one short query: fn runs
// with no transaction open.
func (db *DB) ScanPlan(ctx context.Context, scan store.PlanScan) error {
	err := scanTable(ctx, db, tPatients, scan.Patient)
	if err == nil {
		err = scanTable(ctx, db, tVisits, scan.Visit)
	}
	if err == nil {
		err = scanTable(ctx, db, tDoses, scan.Dose)
	}
	if err != nil {
		return fmt.Errorf("scan plan: %w", err)
	}
	return nil
}

func scanTable[T any](ctx context.Context, db *DB, table string, fn func(T) error) error {
	if fn == nil {
		return nil
	}
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := db.pool.Query(ctx, "SELECT id, data FROM "+table+" WHERE id > $1 ORDER BY id LIMIT $2", after, scanPage)
		if err != nil {
			return db.mapErr(err)
		}
		var ids []string
		var items []T
		for rows.Next() {
			var id string
			var data []byte
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return err
			}
			var v T
			if err := db.seal.openJSON(table, id, data, &v); err != nil {
				rows.Close()
				return err
			}
			ids, items = append(ids, id), append(items, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return db.mapErr(err)
		}
		for _, v := range items {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(ids) < scanPage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// Routine returns one emergency routine.
func (db *DB) Routine(ctx context.Context, id string) (care.Routine, error) {
	var r care.Routine
	err := db.one(ctx, nil, "routine", tRoutines, id, &r)
	return r, err
}

// Routines lists every emergency routine, by id.
func (db *DB) Routines(ctx context.Context) ([]care.Routine, error) {
	return list[care.Routine](ctx, db, "routines", tRoutines, `SELECT id, data FROM routines ORDER BY id`)
}

func routineVersionID(id string, v int) string { return fmt.Sprintf("%s\x00%d", id, v) }

// SaveRoutine stores a new version of a routine, keeps the previous
// ones and audits the change, in one transaction under the plan lock.
func (db *DB) SaveRoutine(ctx context.Context, r care.Routine, by string, now time.Time) (care.Routine, error) {
	in := r
	err := db.tx(ctx, func(tx pgx.Tx) error {
		r = in
		if err := advisoryLock(ctx, tx, lockPlan); err != nil {
			return err
		}
		var old care.Routine
		err := db.one(ctx, tx, "routine", tRoutines, r.ID, &old)
		switch {
		case errors.Is(err, store.ErrNotFound):
			r.Version = 1
		case err != nil:
			return err
		default:
			r.Version = old.Version + 1
			if old.Version == 0 { // stored by a plan, before any save
				r.Version, old.Version = 2, 1
				if err := db.putRoutineVersion(ctx, tx, old); err != nil {
					return err
				}
			}
		}
		data, err := db.seal.sealJSON(tRoutines, r.ID, r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO routines (id, version, data) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data`, r.ID, r.Version, data); err != nil {
			return err
		}
		if err := db.putRoutineVersion(ctx, tx, r); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, now, store.Audit{Time: now, Actor: by, Action: store.AuditRoutine, Subject: r.ID,
			Detail: fmt.Sprintf("version=%d title=%q", r.Version, r.Title)})
	})
	if err != nil {
		return r, fmt.Errorf("save routine: %w", err)
	}
	return r, nil
}

func (db *DB) putRoutineVersion(ctx context.Context, tx pgx.Tx, r care.Routine) error {
	data, err := db.seal.sealJSON(tRoutineVers, routineVersionID(r.ID, r.Version), r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO routine_versions (id, version, data) VALUES ($1, $2, $3)
		ON CONFLICT (id, version) DO UPDATE SET data = excluded.data`, r.ID, r.Version, data)
	return err
}

// RoutineVersions lists every kept version of a routine, oldest first.
func (db *DB) RoutineVersions(ctx context.Context, id string) ([]care.Routine, error) {
	rows, err := db.pool.Query(ctx, `SELECT version, data FROM routine_versions WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("routine versions of %s: %w", id, db.mapErr(err))
	}
	defer rows.Close()
	var out []care.Routine
	for rows.Next() {
		var v int
		var data []byte
		if err := rows.Scan(&v, &data); err != nil {
			return nil, fmt.Errorf("routine versions of %s: %w", id, err)
		}
		var r care.Routine
		if err := db.seal.openJSON(tRoutineVers, routineVersionID(id, v), data, &r); err != nil {
			return nil, fmt.Errorf("routine versions of %s: %w", id, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routine versions of %s: %w", id, err)
	}
	return out, nil
}

// Announcements lists announcements posted at or after since, oldest
// first.
func (db *DB) Announcements(ctx context.Context, since time.Time) ([]care.Announcement, error) {
	return list[care.Announcement](ctx, db, "announcements", tAnnouncements,
		`SELECT id, data FROM announcements WHERE posted_ns >= $1 ORDER BY posted_ns, id`, ns(since))
}

// PostAnnouncement stores an announcement and audits it.
func (db *DB) PostAnnouncement(ctx context.Context, a care.Announcement) error {
	data, err := db.seal.sealJSON(tAnnouncements, a.ID, a)
	if err != nil {
		return fmt.Errorf("post announcement: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO announcements (id, posted_ns, data) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET posted_ns = excluded.posted_ns, data = excluded.data`, a.ID, ns(a.Posted), data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a.Posted, store.Audit{Time: a.Posted, Actor: a.AuthorID, Action: store.AuditAnnouncement, Subject: a.ID,
			Detail: fmt.Sprintf("level=%s units=%v", a.Level, a.Units)})
	})
	if err != nil {
		return fmt.Errorf("post announcement: %w", err)
	}
	return nil
}

// Outages lists declared outages, newest first.
func (db *DB) Outages(ctx context.Context) ([]store.Outage, error) {
	return list[store.Outage](ctx, db, "outages", tOutages, `SELECT id, data FROM outages ORDER BY start_ns DESC, id DESC`)
}

func (db *DB) putOutage(ctx context.Context, tx pgx.Tx, o store.Outage) error {
	data, err := db.seal.sealJSON(tOutages, o.ID, o)
	if err != nil {
		return err
	}
	var end *int64
	if o.End != nil {
		end = nsOrNull(*o.End)
		if end == nil {
			end = new(int64) // an end at the zero time is still an end
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO outages (id, start_ns, end_ns, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET start_ns = excluded.start_ns, end_ns = excluded.end_ns, data = excluded.data`,
		o.ID, ns(o.Start), end, data)
	return err
}

// StartOutage declares an outage begun at o.Start: refused while one is
// open, or before the last one ended. The checks run under the outage
// lock, and the table's partial unique index holds "one open" besides.
func (db *DB) StartOutage(ctx context.Context, o store.Outage) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := advisoryLock(ctx, tx, lockOutages); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, data FROM outages ORDER BY start_ns, id`)
		if err != nil {
			return err
		}
		all, err := collect[store.Outage](db, tOutages, rows)
		if err != nil {
			return err
		}
		for _, old := range all {
			if old.End == nil {
				return fmt.Errorf("%w: an outage is already active since %s", store.ErrOutageState, old.Start.Format(time.RFC3339))
			}
		}
		if n := len(all); n > 0 && o.Start.Before(*all[n-1].End) {
			return fmt.Errorf("%w: the last outage ended at %s, after this one would have begun", store.ErrOutageState, all[n-1].End.Format(time.RFC3339))
		}
		if err := db.putOutage(ctx, tx, o); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, o.Start, store.Audit{Time: o.Start, Actor: o.StartedBy, Action: store.AuditOutageStart, Subject: o.ID, Detail: fmt.Sprintf("note=%q", o.Note)})
	})
	if err != nil {
		return fmt.Errorf("start outage: %w", err)
	}
	return nil
}

// EndOutage ends the open outage at end (at its start, if end is before
// it).
func (db *DB) EndOutage(ctx context.Context, by string, end time.Time) (store.Outage, error) {
	var o store.Outage
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := advisoryLock(ctx, tx, lockOutages); err != nil {
			return err
		}
		var id string
		var data []byte
		err := tx.QueryRow(ctx, `SELECT id, data FROM outages WHERE end_ns IS NULL`).Scan(&id, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: no outage is active", store.ErrOutageState)
		}
		if err != nil {
			return err
		}
		o = store.Outage{}
		if err := db.seal.openJSON(tOutages, id, data, &o); err != nil {
			return err
		}
		at := end
		if at.Before(o.Start) {
			at = o.Start
		}
		o.End, o.EndedBy = &at, by
		if err := db.putOutage(ctx, tx, o); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, at, store.Audit{Time: at, Actor: by, Action: store.AuditOutageEnd, Subject: o.ID})
	})
	if err != nil {
		return o, fmt.Errorf("end outage: %w", err)
	}
	return o, nil
}

// Initialized reports whether the store has been set up.
func (db *DB) Initialized(ctx context.Context) (bool, error) {
	var ok bool
	if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM setup)`, nil, &ok); err != nil {
		return false, fmt.Errorf("initialized: %w", err)
	}
	return ok, nil
}

// DemoMode reports whether the store was set up with demo data.
func (db *DB) DemoMode(ctx context.Context) (bool, error) {
	var demo bool
	err := db.queryRow(ctx, `SELECT demo FROM setup WHERE id = 1`, nil, &demo)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo mode: %w", err)
	}
	return demo, nil
}

// MarkInitialized records that the store has been set up, and whether
// with demo data.
func (db *DB) MarkInitialized(ctx context.Context, demo bool) error {
	if _, err := db.exec(ctx, `INSERT INTO setup (id, demo, initialized) VALUES (1, $1, now())
		ON CONFLICT (id) DO UPDATE SET demo = excluded.demo, initialized = excluded.initialized`, demo); err != nil {
		return fmt.Errorf("mark initialized: %w", err)
	}
	return nil
}

// ResolveFinding records that a finding was handled, with an audit entry.
func (db *DB) ResolveFinding(ctx context.Context, id string, res store.FindingResolution) error {
	data, err := db.seal.sealJSON(tFindings, id, res)
	if err != nil {
		return fmt.Errorf("resolve finding: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO finding_resolutions (id, data) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data`, id, data); err != nil {
			return err
		}
		if err := db.noteChange(ctx, tx, store.ChangeResolution, []string{id}); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, res.At, store.Audit{Time: res.At, Actor: res.By, Action: store.AuditFindingResolve, Subject: id, Detail: fmt.Sprintf("comment=%q", res.Comment)})
	})
	if err != nil {
		return fmt.Errorf("resolve finding %s: %w", id, err)
	}
	return nil
}

// FindingResolutions returns every recorded resolution by finding id.
func (db *DB) FindingResolutions(ctx context.Context) (map[string]store.FindingResolution, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, data FROM finding_resolutions`)
	if err != nil {
		return nil, fmt.Errorf("finding resolutions: %w", db.mapErr(err))
	}
	defer rows.Close()
	out := map[string]store.FindingResolution{}
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("finding resolutions: %w", err)
		}
		var r store.FindingResolution
		if err := db.seal.openJSON(tFindings, id, data, &r); err != nil {
			return nil, fmt.Errorf("finding resolutions: %w", err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finding resolutions: %w", err)
	}
	return out, nil
}
