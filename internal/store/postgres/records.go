package postgres

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"beredskap/internal/store"
)

// Records: one row each, its id the primary key. The record as the
// server keeps it (StoredRecord, without body) is sealed in data; the
// bytes the device signed and the signature are sealed in body, so that
// lists open only what they show.

const (
	tRecords     = "records"
	tRecordBodys = "records.body"
)

// sealBody seals a record's signed bytes and signature together: the
// body's length (4 bytes), the body, the signature.
func (db *DB) sealBody(r store.StoredRecord) []byte {
	b := make([]byte, 4, 4+len(r.Body)+len(r.Sig))
	binary.BigEndian.PutUint32(b, uint32(len(r.Body)))
	b = append(append(b, r.Body...), r.Sig...)
	return db.seal.seal(tRecordBodys, r.ID, b)
}

func (db *DB) openBody(id string, sealed []byte) (body, sig []byte, err error) {
	b, err := db.seal.open(tRecordBodys, id, sealed)
	if err != nil {
		return nil, nil, err
	}
	return splitBody(id, b)
}

// splitBody cuts an opened body into the body and the signature, each
// with room for no more than it holds.
func splitBody(id string, b []byte) (body, sig []byte, err error) {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
		return nil, nil, fmt.Errorf("record %s: body malformed", id)
	}
	n := 4 + int(binary.BigEndian.Uint32(b))
	return b[4:n:n], b[n:], nil
}

// openRecord opens and decodes a record's data; dec, when not nil,
// keeps the values that recur from one record to the next.
func (db *DB) openRecord(id string, data []byte, dec *store.RecordDecoder) (store.StoredRecord, error) {
	var r store.StoredRecord
	b, err := db.seal.open(tRecords, id, data)
	if err != nil {
		return r, err
	}
	if dec == nil {
		err = store.DecodeStoredRecord(b, &r)
	} else {
		err = dec.Decode(b, &r)
	}
	if err != nil {
		return r, fmt.Errorf("decode %s %s: %w", tRecords, id, err)
	}
	return r, nil
}

// Known tells, for each id, whether a record is held under it (or was,
// and is purged: its row keeps the body's hash) and whether its body
// hash is the given one.
func (db *DB) Known(ctx context.Context, hashes map[string]string) (map[string]store.RecordStatus, error) {
	out := make(map[string]store.RecordStatus, len(hashes))
	ids := make([]string, 0, len(hashes))
	for id := range hashes {
		ids = append(ids, id)
		out[id] = store.RecordUnknown
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, body_hash FROM records WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("known records: %w", db.mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id, hash string
		if err := rows.Scan(&id, &hash); err != nil {
			return nil, fmt.Errorf("known records: %w", err)
		}
		if hash == hashes[id] {
			out[id] = store.RecordSame
		} else {
			out[id] = store.RecordDifferent
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("known records: %w", db.mapErr(err))
	}
	return out, nil
}

// PutRecords stores new records with their audit entries in one
// transaction. The records' primary key decides: a record id already
// held, or purged, or twice in the batch, is ErrRecordExists naming it,
// and nothing of the batch is written. Two nodes putting the same record
// at once: the second insert waits for the first transaction and then
// finds the id taken.
//
// Calls made at the same time on one node are written together (a group
// commit), as on Badger: each call joins a queue, and the call that gets
// the node's write turn writes every call queued by then in one
// transaction, with one wait for the disk and the synchronous standby,
// and answers each. A transaction holds the change feed's lock and the
// audit chain's head from its first change row to its commit, so every
// node's writes pass one at a time there; in a group, twenty phones pass
// once instead of twenty times. Each call is still all or nothing and
// answered exactly as alone: ids the store holds, ids of a call before it
// in the group and ids twice in the call refuse it with ErrRecordExists;
// the audit entries follow the calls' order. A group that finds an id
// taken by another node between its check and its insert is written
// again call by call.
func (db *DB) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	rows, err := db.recordRows(recs)
	if err != nil {
		return fmt.Errorf("put records: %w", err)
	}
	c := &putCall{ctx: ctx, rows: rows, audit: audit}
	db.putsMu.Lock()
	db.puts = append(db.puts, c)
	db.putsMu.Unlock()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if !c.done {
		db.putsMu.Lock()
		group := db.puts
		db.puts = nil
		db.putsMu.Unlock()
		db.putGroup(ctx, group)
	}
	if c.err != nil {
		return fmt.Errorf("put records: %w", c.err)
	}
	return nil
}

// putGroupWrites and putGroupChecked, when set (by tests), are called
// with the number of calls before each group transaction, and once the
// group has checked its ids, before it inserts them.
var (
	putGroupWrites  func(calls int)
	putGroupChecked func()
)

// putCall is one PutRecords waiting in the queue; done and err are set,
// under writeMu, by the call that wrote it.
type putCall struct {
	ctx   context.Context
	rows  recordRows
	audit []store.Audit
	done  bool
	err   error
}

// errGroupRaced: an id of the group was taken between the group's check
// and its insert (by another node); nothing of the group is written.
var errGroupRaced = errors.New("a record id of the group was taken meanwhile")

// putGroup writes the calls of a group, under writeMu, and answers each.
func (db *DB) putGroup(ctx context.Context, group []*putCall) {
	live := group[:0:0]
	for _, c := range group {
		if err := c.ctx.Err(); err != nil {
			c.done, c.err = true, err // gone before it was written: nothing of it is
			continue
		}
		live = append(live, c)
	}
	if len(live) == 1 {
		c := live[0]
		c.done, c.err = true, db.putRows(c.ctx, c.rows, c.audit)
		return
	}
	if len(live) == 0 {
		return
	}
	if putGroupWrites != nil {
		putGroupWrites(len(live))
	}
	refused := make([]error, len(live))
	var all []string
	for _, c := range live {
		all = append(all, c.rows.ids...)
	}
	now := time.Now()
	// The group is written for the calls still waiting: the context of
	// the one that writes it does not end the others'.
	gctx := context.WithoutCancel(ctx)
	err := db.tx(gctx, func(tx pgx.Tx) error {
		taken, err := takenIDs(gctx, tx, all)
		if err != nil {
			return err
		}
		if putGroupChecked != nil {
			putGroupChecked()
		}
		var rows recordRows
		var audit []store.Audit
		for i, c := range live {
			refused[i] = nil
			mine := make(map[string]bool, len(c.rows.ids))
			for _, id := range c.rows.ids {
				if taken[id] || mine[id] {
					refused[i] = fmt.Errorf("record %s: %w", id, store.ErrRecordExists)
					break
				}
				mine[id] = true
			}
			if refused[i] != nil {
				continue
			}
			for id := range mine {
				taken[id] = true
			}
			rows.add(c.rows)
			audit = append(audit, c.audit...)
		}
		if len(rows.ids) > 0 {
			inserted, err := insertRows(gctx, tx, rows)
			if err != nil {
				return err
			}
			if len(inserted) < len(rows.ids) {
				return errGroupRaced
			}
			if err := db.noteChange(gctx, tx, store.ChangeRecords, rows.ids); err != nil {
				return err
			}
		}
		return db.appendAudit(gctx, tx, now, audit...)
	})
	if errors.Is(err, errGroupRaced) {
		// Nothing of the group was written: each call alone, which tells
		// which one holds the id another node took.
		for _, c := range live {
			c.done, c.err = true, db.putRows(c.ctx, c.rows, c.audit)
		}
		return
	}
	for i, c := range live {
		c.done, c.err = true, refused[i]
		if err != nil {
			c.err = err // the database's answer, for each: nothing, or all, of it is stored
		}
	}
}

// recordRows are records as the columns of the records table, sealed.
type recordRows struct {
	ids, devices, seqs, hashes, types, authors, patients, units, states []string
	drills                                                              []*string
	quar                                                                []bool
	received                                                            []int64
	reconciled                                                          []*int64
	datas, bodies                                                       [][]byte
}

// recordRows seals the records into their columns, before any lock is
// taken.
func (db *DB) recordRows(recs []store.StoredRecord) (recordRows, error) {
	n := len(recs)
	c := recordRows{
		ids: make([]string, n), devices: make([]string, n), seqs: make([]string, n), hashes: make([]string, n),
		types: make([]string, n), authors: make([]string, n), patients: make([]string, n), units: make([]string, n),
		states: make([]string, n), quar: make([]bool, n), received: make([]int64, n), reconciled: make([]*int64, n), drills: make([]*string, n),
		datas: make([][]byte, n), bodies: make([][]byte, n),
	}
	for i, r := range recs {
		data, err := db.seal.sealJSON(tRecords, r.ID, r)
		if err != nil {
			return recordRows{}, err
		}
		c.ids[i], c.devices[i], c.seqs[i], c.hashes[i] = r.ID, r.DeviceID, strconv.FormatUint(r.Seq, 10), r.BodyHash
		c.types[i], c.authors[i], c.patients[i], c.units[i], c.states[i] = string(r.Type), r.AuthorID, r.PatientID, r.UnitID, r.State
		c.quar[i], c.received[i], c.reconciled[i] = r.Quarantined, ns(r.Received), nsOrNull(r.ReconciledAt)
		c.datas[i], c.bodies[i] = data, db.sealBody(r)
		if r.DrillID != "" {
			c.drills[i] = &r.DrillID
		}
	}
	return c, nil
}

// add appends another call's rows.
func (c *recordRows) add(o recordRows) {
	c.ids, c.devices, c.seqs, c.hashes = append(c.ids, o.ids...), append(c.devices, o.devices...), append(c.seqs, o.seqs...), append(c.hashes, o.hashes...)
	c.types, c.authors, c.patients = append(c.types, o.types...), append(c.authors, o.authors...), append(c.patients, o.patients...)
	c.units, c.states, c.quar = append(c.units, o.units...), append(c.states, o.states...), append(c.quar, o.quar...)
	c.received, c.reconciled = append(c.received, o.received...), append(c.reconciled, o.reconciled...)
	c.datas, c.bodies = append(c.datas, o.datas...), append(c.bodies, o.bodies...)
	c.drills = append(c.drills, o.drills...)
}

// putRows writes one call's rows alone, all or nothing.
func (db *DB) putRows(ctx context.Context, c recordRows, audit []store.Audit) error {
	now := time.Now()
	return db.tx(ctx, func(tx pgx.Tx) error {
		if len(c.ids) > 0 {
			inserted, err := insertRows(ctx, tx, c)
			if err != nil {
				return err
			}
			if len(inserted) < len(c.ids) {
				seen := make(map[string]bool, len(c.ids))
				for _, id := range c.ids {
					if !inserted[id] || seen[id] {
						return fmt.Errorf("record %s: %w", id, store.ErrRecordExists)
					}
					seen[id] = true
				}
			}
			if err := db.noteChange(ctx, tx, store.ChangeRecords, c.ids); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, now, audit...)
	})
}

// insertRows inserts the rows whose ids are free and returns the ids it
// inserted.
func insertRows(ctx context.Context, tx pgx.Tx, c recordRows) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `INSERT INTO records (id, device_id, seq, body_hash, type, author_id, patient_id, unit_id,
			state, quarantined, received_ns, reconciled_ns, data, body, drill_id)
		SELECT id, dev, seq::numeric, hash, typ, author, patient, unit, state, quar, recv, rec, data, body, drill
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::bool[], $11::bigint[], $12::bigint[], $13::bytea[], $14::bytea[], $15::text[])
			AS u(id, dev, seq, hash, typ, author, patient, unit, state, quar, recv, rec, data, body, drill)
		ON CONFLICT (id) DO NOTHING
		RETURNING id`,
		c.ids, c.devices, c.seqs, c.hashes, c.types, c.authors, c.patients, c.units, c.states, c.quar, c.received, c.reconciled, c.datas, c.bodies, c.drills)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// takenIDs says which of ids the records table holds, purged or not.
func takenIDs(ctx context.Context, tx pgx.Tx, ids []string) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM records WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// scanIDs reads rows of one id each into a set.
func scanIDs(rows pgx.Rows) (map[string]bool, error) {
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = true
	}
	rows.Close()
	return out, rows.Err()
}

// StoredRecordByID returns one stored record with its signed body.
func (db *DB) StoredRecordByID(ctx context.Context, id string) (store.StoredRecord, error) {
	var data, body []byte
	err := db.queryRow(ctx, `SELECT data, body FROM records WHERE id = $1 AND NOT purged`, []any{id}, &data, &body)
	if err := noRows(err, "record", id); err != nil {
		return store.StoredRecord{}, err
	}
	r, err := db.openRecord(id, data, nil)
	if err != nil {
		return store.StoredRecord{}, err
	}
	if r.Body, r.Sig, err = db.openBody(id, body); err != nil {
		return store.StoredRecord{}, err
	}
	return r, nil
}

// CountRecords counts stored records (quarantined included, purged not).
func (db *DB) CountRecords(ctx context.Context) (int, error) {
	var n int64
	if err := db.queryRow(ctx, `SELECT count(*) FROM records WHERE NOT purged`, nil, &n); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return int(n), nil
}

// DeviceSeqs returns the sequence numbers received from a device, sorted.
func (db *DB) DeviceSeqs(ctx context.Context, deviceID string) ([]uint64, error) {
	seqs, _, err := db.DeviceSeqIndex(ctx, deviceID)
	return seqs, err
}

// DeviceSeqIndex returns the sequence numbers received from a device,
// purged records' included, sorted, one per record, and for each number
// more than one record carries, those records' ids.
func (db *DB) DeviceSeqIndex(ctx context.Context, deviceID string) ([]uint64, map[uint64][]string, error) {
	var seqs []uint64
	shared := map[uint64][]string{}
	rows, err := db.pool.Query(ctx, `SELECT seq::text AS seq_text, id FROM records WHERE device_id = $1 ORDER BY records.seq, id`, deviceID)
	if err != nil {
		return nil, nil, fmt.Errorf("device sequence numbers: %w", db.mapErr(err))
	}
	defer rows.Close()
	prevID := ""
	for rows.Next() {
		var s, id string
		if err := rows.Scan(&s, &id); err != nil {
			return nil, nil, fmt.Errorf("device sequence numbers: %w", err)
		}
		seq, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("device sequence numbers: record %s: %w", id, err)
		}
		if n := len(seqs); n > 0 && seqs[n-1] == seq {
			if len(shared[seq]) == 0 {
				shared[seq] = append(shared[seq], prevID)
			}
			shared[seq] = append(shared[seq], id)
		}
		seqs = append(seqs, seq)
		prevID = id
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("device sequence numbers: %w", db.mapErr(err))
	}
	return seqs, shared, nil
}

// where is the SQL condition of a filter (purged records never match),
// its arguments appended to args.
func where(f store.RecordFilter, args *[]any) string {
	conds := []string{"NOT purged"}
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	if f.Units != nil {
		units := append([]string{}, f.Units...) // not nil: no units matches nothing
		conds = append(conds, "unit_id = ANY("+arg(units)+"::text[])")
	}
	if f.Unit != "" {
		conds = append(conds, "unit_id = "+arg(f.Unit))
	}
	if f.Patient != "" {
		conds = append(conds, "patient_id = "+arg(f.Patient))
	}
	if f.Author != "" {
		conds = append(conds, "author_id = "+arg(f.Author))
	}
	if f.Type != "" {
		conds = append(conds, "type = "+arg(string(f.Type)))
	}
	switch f.State {
	case "":
	case store.StateQuarantined:
		conds = append(conds, "quarantined")
	default:
		conds = append(conds, "state = "+arg(f.State))
	}
	if !f.Since.IsZero() {
		conds = append(conds, "received_ns >= "+arg(ns(f.Since)))
	}
	switch f.Drill {
	case "":
	case store.DrillNone:
		conds = append(conds, "drill_id IS NULL")
	case store.DrillAny:
		conds = append(conds, "drill_id IS NOT NULL")
	default:
		conds = append(conds, "drill_id = "+arg(f.Drill))
	}
	return strings.Join(conds, " AND ")
}

// A list cursor is the position of a page's last record in the list's
// order: its received time and its id.
const cursorTag = "pg1"

func encodeCursor(received int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorTag + "|" + strconv.FormatInt(received, 10) + "|" + id))
}

func decodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", store.ErrBadCursor
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || parts[0] != cursorTag {
		return 0, "", store.ErrBadCursor
	}
	recv, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, "", store.ErrBadCursor
	}
	return recv, parts[2], nil
}

// ListRecords returns one page of records (without bodies), newest
// received first, and the cursor of the next page ("" at the end).
func (db *DB) ListRecords(ctx context.Context, f store.RecordFilter) ([]store.StoredRecord, string, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var args []any
	cond := where(f, &args)
	if f.Cursor != "" {
		recv, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, recv, id)
		cond += fmt.Sprintf(" AND (received_ns, id) < ($%d, $%d)", len(args)-1, len(args))
	}
	args = append(args, f.Limit+1)
	rows, err := db.pool.Query(ctx, `SELECT id, received_ns, data FROM records WHERE `+cond+
		fmt.Sprintf(` ORDER BY received_ns DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, "", fmt.Errorf("list records: %w", db.mapErr(err))
	}
	defer rows.Close()
	var out []store.StoredRecord
	var lastRecv int64
	next := ""
	for rows.Next() {
		var id string
		var recv int64
		var data []byte
		if err := rows.Scan(&id, &recv, &data); err != nil {
			return nil, "", fmt.Errorf("list records: %w", err)
		}
		if len(out) == f.Limit {
			next = encodeCursor(lastRecv, out[len(out)-1].ID)
			break
		}
		r, err := db.openRecord(id, data, nil)
		if err != nil {
			return nil, "", fmt.Errorf("list records: %w", err)
		}
		out, lastRecv = append(out, r), recv
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list records: %w", db.mapErr(err))
	}
	return out, next, nil
}

// scanRecPage is how many records (without bodies) a page of
// ScanRecords holds.
const scanRecPage = 5000

// ScanRecords calls fn with every record held, without its body, in id
// order, in pages by id each read by one query; fn runs between them.
func (db *DB) ScanRecords(ctx context.Context, fn func(store.StoredRecord) error) error {
	after := ""
	var dec store.RecordDecoder
	var page []store.StoredRecord
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("scan records: %w", err)
		}
		rows, err := db.pool.Query(ctx, `SELECT id, data FROM records WHERE NOT purged AND id > $1 ORDER BY id LIMIT $2`, after, scanRecPage)
		if err != nil {
			return fmt.Errorf("scan records: %w", db.mapErr(err))
		}
		page, err = db.scanPage(rows, page[:0], &dec)
		if err != nil {
			return fmt.Errorf("scan records: %w", db.mapErr(err))
		}
		for i := range page {
			if err := fn(page[i]); err != nil {
				return err
			}
		}
		if len(page) < scanRecPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// scanPage appends the records rows hold (id and data) to page.
func (db *DB) scanPage(rows pgx.Rows, page []store.StoredRecord, dec *store.RecordDecoder) ([]store.StoredRecord, error) {
	defer rows.Close()
	for rows.Next() {
		var id string
		var data pgtype.DriverBytes // opened into bytes of its own before the next row
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		r, err := db.openRecord(id, data, dec)
		if err != nil {
			return nil, err
		}
		page = append(page, r)
	}
	return page, rows.Err()
}

// lockRecords reads the records with the ids, not purged, under row
// locks taken in id order (two transactions locking overlapping sets
// never wait on each other in a circle).
func (db *DB) lockRecords(ctx context.Context, tx pgx.Tx, sql string, args ...any) (map[string]store.StoredRecord, []string, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	got := map[string]store.StoredRecord{}
	var order []string
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, nil, err
		}
		r, err := db.openRecord(id, data, nil)
		if err != nil {
			return nil, nil, err
		}
		got[id] = r
		order = append(order, id)
	}
	return got, order, rows.Err()
}

// Reconcile marks records entered or void, with an audit entry each, in
// one transaction: all of them or none. A record already entered or
// voided is ErrAlreadyReconciled.
func (db *DB) Reconcile(ctx context.Context, ids []string, rc store.Reconciliation) ([]store.StoredRecord, error) {
	if rc.Action != store.ActionEntered && rc.Action != store.ActionVoid {
		return nil, fmt.Errorf("reconcile: unknown action %q", rc.Action)
	}
	var out []store.StoredRecord
	err := db.tx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		got, _, err := db.lockRecords(ctx, tx, `SELECT id, data FROM records WHERE id = ANY($1) AND NOT purged ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return err
		}
		var audit []store.Audit
		var uIDs, uStates []string
		var uRec []int64
		var uData [][]byte
		for _, id := range ids {
			r, ok := got[id]
			if !ok {
				return notFound("record", id)
			}
			if r.State != store.StateNew {
				return fmt.Errorf("record %s is %s: %w", id, r.State, store.ErrAlreadyReconciled)
			}
			r, detail := store.Reconciled(r, rc)
			got[id] = r
			data, err := db.seal.sealJSON(tRecords, id, r)
			if err != nil {
				return err
			}
			uIDs, uStates, uRec, uData = append(uIDs, id), append(uStates, r.State), append(uRec, ns(r.ReconciledAt)), append(uData, data)
			audit = append(audit, store.Audit{Time: rc.At, Actor: rc.By, Action: store.AuditReconcile, Subject: id, Detail: detail})
			out = append(out, r)
		}
		if len(uIDs) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE records SET state = u.state, reconciled_ns = u.rec, data = u.data
				FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[]) AS u(id, state, rec, data)
				WHERE records.id = u.id`, uIDs, uStates, uRec, uData); err != nil {
				return err
			}
			if err := db.noteChange(ctx, tx, store.ChangeRecords, uIDs); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, rc.At, audit...)
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	return out, nil
}

// purgeBatchSize is how many records one purge transaction takes.
const purgeBatchSize = 200

// PurgeReconciled removes records entered or voided before the cutoff,
// in batches of one transaction each with their audit entries: their
// data, body and every query column but the device's sequence number and
// the body's hash go; the row stays, purged, so that the id stays taken
// and the record sent again is answered as a duplicate. Rows another
// node's purge holds are skipped (SKIP LOCKED): that purge takes them.
//
// PostgreSQL keeps the old row versions until vacuum reclaims them, and
// its WAL until it is recycled; both hold only sealed bytes.
func (db *DB) PurgeReconciled(ctx context.Context, before, now time.Time) (int, error) {
	total := 0
	// Reconciled records by state, then drill records, which are never
	// reconciled and name real patients, by the time they came.
	due := []struct{ where, arg string }{
		{`state = $1 AND drill_id IS NULL AND NOT purged AND reconciled_ns < $2`, store.StateEntered},
		{`state = $1 AND drill_id IS NULL AND NOT purged AND reconciled_ns < $2`, store.StateVoid},
		{`drill_id IS NOT NULL AND drill_id <> $1 AND NOT purged AND received_ns < $2`, ""},
	}
	for _, d := range due {
		for {
			n := 0
			err := db.tx(ctx, func(tx pgx.Tx) error {
				n = 0
				got, order, err := db.lockRecords(ctx, tx, `SELECT id, data FROM records
					WHERE `+d.where+` ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
					d.arg, ns(before), purgeBatchSize)
				if err != nil || len(order) == 0 {
					return err
				}
				var audit []store.Audit
				for _, id := range order {
					r := got[id]
					detail := fmt.Sprintf("state=%s reconciled=%s", r.State, r.ReconciledAt.UTC().Format(time.RFC3339))
					if r.DrillID != "" {
						detail = fmt.Sprintf("drill=%s received=%s", r.DrillID, r.Received.UTC().Format(time.RFC3339))
					}
					audit = append(audit, store.Audit{Time: now, Actor: "retention", Action: store.AuditPurge, Subject: id,
						Detail: detail})
				}
				if _, err := tx.Exec(ctx, `UPDATE records SET purged = true, data = NULL, body = NULL, type = NULL,
					author_id = NULL, patient_id = NULL, unit_id = NULL, state = NULL, quarantined = NULL,
					received_ns = NULL, reconciled_ns = NULL WHERE id = ANY($1)`, order); err != nil {
					return err
				}
				if err := db.noteChange(ctx, tx, store.ChangePurge, order); err != nil {
					return err
				}
				n = len(order)
				return db.appendAudit(ctx, tx, now, audit...)
			})
			total += n
			if err != nil {
				return total, fmt.Errorf("purge: %w", err)
			}
			if n == 0 {
				break
			}
		}
	}
	return total, nil
}
