package badger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// recordBody is the signed bytes of a record.
type recordBody struct {
	Body []byte `json:"body"`
	Sig  []byte `json:"sig"`
}

func recordKey(id string) string     { return "rec/" + id }
func recordBodyKey(id string) string { return "recbody/" + id }

// recordIndexes are the keys that find a record by time, unit, patient,
// author, type, state and device sequence.
func recordIndexes(r store.StoredRecord) []string {
	t := sortableTime(r.Received)
	keys := []string{
		"recrecv/" + t + "/" + r.ID,
		"recunit/" + r.UnitID + "/" + t + "/" + r.ID,
		"recpatient/" + r.PatientID + "/" + t + "/" + r.ID,
		"recauthor/" + r.AuthorID + "/" + t + "/" + r.ID,
		"rectype/" + string(r.Type) + "/" + t + "/" + r.ID,
		"recstate/" + r.State + "/" + t + "/" + r.ID, // stateIndex
		devSeqKey(r.DeviceID, r.Seq, r.ID),
	}
	if r.Quarantined {
		keys = append(keys, "recquar/"+t+"/"+r.ID)
	}
	return keys
}

// devSeqKey is fmt.Sprintf("recdevseq/%s/%020d/%s", device, seq, id).
func devSeqKey(device string, seq uint64, id string) string {
	b := make([]byte, 0, len("recdevseq///")+len(device)+20+len(id))
	b = append(b, "recdevseq/"...)
	b = append(b, device...)
	b = append(b, '/')
	b = appendPadded(b, seq)
	b = append(b, '/')
	b = append(b, id...)
	return string(b)
}

func stateIndex(r store.StoredRecord) string {
	return "recstate/" + r.State + "/" + sortableTime(r.Received) + "/" + r.ID
}

// Known tells, for each id, whether the store holds a record under it and
// whether its body hash is the given one.
func (db *DB) Known(ctx context.Context, hashes map[string]string) (map[string]store.RecordStatus, error) {
	out := make(map[string]store.RecordStatus, len(hashes))
	err := db.view(ctx, func(txn *badger.Txn) error {
		for id, hash := range hashes {
			var r store.StoredRecord
			err := getJSON(txn, recordKey(id), &r)
			if errors.Is(err, store.ErrNotFound) {
				// A purged record is known by its body's hash: a phone that
				// sends it again is told it is a duplicate, so it is not
				// entered into the record system twice.
				r.BodyHash, err = purgedHash(txn, id)
			}
			switch {
			case errors.Is(err, store.ErrNotFound):
				out[id] = store.RecordUnknown
			case err != nil:
				return err
			case r.BodyHash == hash:
				out[id] = store.RecordSame
			default:
				out[id] = store.RecordDifferent
			}
		}
		return nil
	})
	return out, err
}

// PutRecords stores new records with their audit entries, durably, in as
// few transactions as Badger allows (one, unless the batch is too big for
// a single transaction). A record whose id is already taken fails the
// whole call with ErrRecordExists and writes nothing of it.
//
// Calls made at the same time are written together (a group commit):
// each call joins a queue and waits for the audit chain's lock, and the
// one that gets the lock writes every call queued by then in one
// transaction, with one sync, and answers each. The others find their
// answer when they get the lock in turn. Twenty phones syncing at once
// then wait for one sync of the disk, not for twenty in a row, which is
// what a sync costs when the chain holds each commit alone. Each call is
// still all or nothing and answered exactly as alone: its ids are checked
// against the store and against the calls before it in the group before
// anything of it is written, the chain's entries follow the calls'
// order, and a group that fails as a whole (the disk, a transaction too
// big) is written again call by call.
func (db *DB) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	c := &putCall{ctx: ctx, recs: recs, audit: audit}
	db.putsMu.Lock()
	db.puts = append(db.puts, c)
	db.putsMu.Unlock()
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	if c.done {
		return c.err
	}
	db.putsMu.Lock()
	group := db.puts
	db.puts = nil
	db.putsMu.Unlock()
	db.putGroup(ctx, group)
	return c.err
}

// putGroupWrites, when set (by tests), is called with the number of calls
// before each group transaction.
var putGroupWrites func(calls int)

// putCall is one PutRecords waiting in the queue; done and err are set,
// under auditMu, by the call that wrote it.
type putCall struct {
	ctx   context.Context
	recs  []store.StoredRecord
	audit []store.Audit
	done  bool
	err   error
}

// putGroup writes the calls of a group, under auditMu, and answers each.
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
		c.done, c.err = true, db.putRecordsLocked(c.ctx, c.recs, c.audit)
		return
	}
	refused := make([]error, len(live))
	now := time.Now()
	if putGroupWrites != nil {
		putGroupWrites(len(live))
	}
	// The group is written for the calls still waiting: the context of
	// the one that writes it does not end the others'.
	err := db.update(context.WithoutCancel(ctx), func(txn *badger.Txn) error {
		taken := map[string]bool{}
		var audit []store.Audit
		for i, c := range live {
			refused[i] = nil
			if err := checkNew(txn, c.recs, taken); err != nil {
				refused[i] = err
				continue
			}
			if err := setRecords(txn, c.recs); err != nil {
				return err
			}
			for _, r := range c.recs {
				taken[r.ID] = true
			}
			audit = append(audit, c.audit...)
		}
		return appendAudit(txn, now, audit...)
	})
	if err == nil {
		for i, c := range live {
			c.done, c.err = true, refused[i]
		}
		return
	}
	// Nothing of the group was written: each call alone, as without a
	// group (a batch too big is halved there; an error of the disk is
	// each call's own answer).
	for _, c := range live {
		c.done, c.err = true, db.putRecordsLocked(c.ctx, c.recs, c.audit)
	}
}

func (db *DB) putRecordsLocked(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	now := time.Now()
	err := db.update(ctx, func(txn *badger.Txn) error {
		return putRecords(txn, now, recs, audit)
	})
	if !errors.Is(err, badger.ErrTxnTooBig) || len(recs) < 2 {
		return err
	}
	// Too big for one transaction: halves, each durable before the next.
	// Records are idempotent by id, so a crash between halves loses nothing
	// the phone will not send again.
	mid := len(recs) / 2
	first := map[string]bool{}
	for _, r := range recs[:mid] {
		first[r.ID] = true
	}
	var a1, a2 []store.Audit
	for _, a := range audit {
		if first[a.Subject] {
			a1 = append(a1, a)
		} else {
			a2 = append(a2, a)
		}
	}
	if err := db.putRecordsLocked(ctx, recs[:mid], a1); err != nil {
		return err
	}
	return db.putRecordsLocked(ctx, recs[mid:], a2)
}

func putRecords(txn *badger.Txn, now time.Time, recs []store.StoredRecord, audit []store.Audit) error {
	if err := checkNew(txn, recs, nil); err != nil {
		return err
	}
	if err := setRecords(txn, recs); err != nil {
		return err
	}
	return appendAudit(txn, now, audit...)
}

// checkNew says ErrRecordExists for the first of recs whose id the store
// holds (or held: purged), that is in taken (the calls before it in a
// group), or that recs hold twice.
func checkNew(txn *badger.Txn, recs []store.StoredRecord, taken map[string]bool) error {
	var mine map[string]bool
	if len(recs) > 1 {
		mine = make(map[string]bool, len(recs))
	}
	for _, r := range recs {
		if taken[r.ID] || mine[r.ID] {
			return fmt.Errorf("record %s: %w", r.ID, store.ErrRecordExists)
		}
		if mine != nil {
			mine[r.ID] = true
		}
		if t, err := recordTaken(txn, r.ID); err != nil {
			return err
		} else if t {
			return fmt.Errorf("record %s: %w", r.ID, store.ErrRecordExists)
		}
	}
	return nil
}

// setRecords writes each record, its signed body and its index keys.
func setRecords(txn *badger.Txn, recs []store.StoredRecord) error {
	for _, r := range recs {
		enc, err := encodeStoredRecord(r)
		if err != nil {
			return fmt.Errorf("encode record: %w", err)
		}
		if err := txn.Set([]byte(recordKey(r.ID)), enc); err != nil {
			return err
		}
		if err := txn.Set([]byte(recordBodyKey(r.ID)), encodeRecordBody(r.Body, r.Sig)); err != nil {
			return err
		}
		for _, k := range recordIndexes(r) {
			if err := setIndex(txn, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// StoredRecordByID returns one stored record with its signed body.
func (db *DB) StoredRecordByID(ctx context.Context, id string) (store.StoredRecord, error) {
	var r store.StoredRecord
	err := db.view(ctx, func(txn *badger.Txn) error {
		if err := getJSON(txn, recordKey(id), &r); err != nil {
			return err
		}
		var b recordBody
		if err := getJSON(txn, recordBodyKey(id), &b); err != nil {
			return err
		}
		r.Body, r.Sig = b.Body, b.Sig
		return nil
	})
	return r, err
}

// CountRecords counts stored records (quarantined included).
func (db *DB) CountRecords(ctx context.Context) (int, error) {
	n := 0
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("rec/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if it.Item().ValueSize() > 0 { // not a purged record awaiting its drop
				n++
			}
		}
		return nil
	})
	return n, err
}

// DeviceSeqs returns the sequence numbers received from a device, sorted.
func (db *DB) DeviceSeqs(ctx context.Context, deviceID string) ([]uint64, error) {
	seqs, _, err := db.DeviceSeqIndex(ctx, deviceID)
	return seqs, err
}

// DeviceSeqIndex returns the sequence numbers received from a device,
// sorted, one per record, and for each number that more than one record
// carries, those records' ids. Only the shared numbers are kept by id, so
// that the memory it takes stays that of the numbers.
func (db *DB) DeviceSeqIndex(ctx context.Context, deviceID string) ([]uint64, map[uint64][]string, error) {
	var seqs []uint64
	shared := map[uint64][]string{}
	err := db.view(ctx, func(txn *badger.Txn) error {
		prefix := "recdevseq/" + deviceID + "/"
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
		defer it.Close()
		prevID := ""
		for it.Rewind(); it.Valid(); it.Next() {
			// The key is the prefix, the number in 20 digits, "/", the id:
			// keys of one number are next to each other.
			k := string(it.Item().Key())[len(prefix):]
			if len(k) < 22 {
				continue
			}
			seq, err := strconv.ParseUint(k[:20], 10, 64)
			if err != nil {
				continue
			}
			id := k[21:]
			if n := len(seqs); n > 0 && seqs[n-1] == seq {
				if len(shared[seq]) == 0 {
					shared[seq] = append(shared[seq], prevID)
				}
				shared[seq] = append(shared[seq], id)
			}
			seqs = append(seqs, seq)
			prevID = id
		}
		return nil
	})
	return seqs, shared, err
}
