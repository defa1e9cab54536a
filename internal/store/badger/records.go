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
// whole call with ErrRecordExists and writes nothing of that transaction.
func (db *DB) PutRecords(ctx context.Context, recs []store.StoredRecord, audit []store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	return db.putRecordsLocked(ctx, recs, audit)
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
	for _, r := range recs {
		if taken, err := recordTaken(txn, r.ID); err != nil {
			return err
		} else if taken {
			return fmt.Errorf("record %s: %w", r.ID, store.ErrRecordExists)
		}
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
	return appendAudit(txn, now, audit...)
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
