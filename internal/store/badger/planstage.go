package badger

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"beredskap/internal/store"
)

// A plan too large for one Badger transaction is written in three steps,
// so that it stays all or nothing:
//
//  1. stage: every write the plan makes (the keys and values, and the
//     index keys it deletes) is appended to chunks under
//     planstage/<id>/<n>, in as many transactions as it takes. Nothing
//     reads these keys, so a plan that fails here changed nothing.
//  2. commit: one transaction checks the plan's scope (as a single-
//     transaction plan does) and writes planstage/<id>/commit. From
//     that commit on the plan is stored.
//  3. apply: each chunk's writes are made in one transaction that also
//     deletes the chunk; then the marker goes. A failure here (a crash, a
//     full disk) is finished by the next ApplyPlan or the next Open,
//     before anything else writes a plan: the chunks hold the values to
//     write, so applying one again gives the same result.
//
// Readers may see part of a plan while step 3 runs (a second or two for
// the largest plan an import may hold). Plans are applied one at a time
// (DB.planMu), and only plans write patients, visits and doses, so what
// was read in step 1 is still what is stored in step 3.

const stagePrefix = "planstage/"

// stageChunkBytes is the size at which a chunk is closed: small against
// Badger's transaction limit, so that applying one always fits.
const stageChunkBytes = 256 << 10

// planWriter is where a plan's writes go: a transaction, or the stage.
type planWriter interface {
	get(key string, v any) error
	put(key string, v any) error
	index(key string) error
	del(key string) error
}

type txnWriter struct{ txn *badger.Txn }

func (w txnWriter) get(key string, v any) error { return getJSON(w.txn, key, v) }
func (w txnWriter) put(key string, v any) error { return putJSON(w.txn, key, v) }
func (w txnWriter) index(key string) error      { return setIndex(w.txn, key) }
func (w txnWriter) del(key string) error        { return w.txn.Delete([]byte(key)) }

// Ops in a chunk: a kind byte, then the key and the value, each with its
// length as a uvarint.
const (
	opSet byte = 's'
	opDel byte = 'd'
)

// stageWriter appends a plan's writes to chunks. It reads what is stored
// from one snapshot, and what the plan itself wrote before from written,
// as a transaction would see its own writes. Only the values of keys the
// plan writes twice are kept there, so that staging the largest
// plan does not hold a second copy of it in memory.
type stageWriter struct {
	snap    *badger.Txn
	twice   map[string]bool
	written map[string][]byte // nil value: deleted
	buf     bytes.Buffer
	flush   func([]byte) error
}

// writtenTwice returns the keys of items a plan holds more than once.
func writtenTwice(p store.Plan) map[string]bool {
	seen, twice := map[string]bool{}, map[string]bool{}
	note := func(key string) {
		if seen[key] {
			twice[key] = true
		}
		seen[key] = true
	}
	for _, pt := range p.Patients {
		note(patientKey(pt.ID))
	}
	for _, v := range p.Visits {
		note(visitKey(v.ID))
	}
	for _, d := range p.Doses {
		note(doseKey(d.ID))
	}
	return twice
}

func (w *stageWriter) get(key string, v any) error {
	if b, ok := w.written[key]; ok {
		if b == nil {
			return store.ErrNotFound
		}
		return store.DecodeJSON(b, v)
	}
	return getJSON(w.snap, key, v)
}

func (w *stageWriter) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind(key), err)
	}
	if w.twice[key] {
		w.written[key] = b
	}
	return w.op(opSet, key, b)
}

func (w *stageWriter) index(key string) error { return w.op(opSet, key, nil) }

func (w *stageWriter) del(key string) error {
	if _, ok := w.written[key]; ok {
		w.written[key] = nil
	}
	return w.op(opDel, key, nil)
}

func (w *stageWriter) op(kind byte, key string, val []byte) error {
	w.buf.WriteByte(kind)
	w.buf.Write(binary.AppendUvarint(nil, uint64(len(key))))
	w.buf.WriteString(key)
	w.buf.Write(binary.AppendUvarint(nil, uint64(len(val))))
	w.buf.Write(val)
	if w.buf.Len() >= stageChunkBytes {
		return w.close()
	}
	return nil
}

// close writes the open chunk, if it holds anything.
func (w *stageWriter) close() error {
	if w.buf.Len() == 0 {
		return nil
	}
	err := w.flush(bytes.Clone(w.buf.Bytes()))
	w.buf.Reset()
	return err
}

func chunkKey(id string, n int) string { return fmt.Sprintf("%s%s/%08d", stagePrefix, id, n) }
func commitKey(id string) string       { return stagePrefix + id + "/commit" }

// applyStaged stores a plan too large for one transaction (see above).
func (db *DB) applyStaged(ctx context.Context, p store.Plan) error {
	id, err := db.stagePlan(ctx, p)
	if err != nil {
		return err
	}
	// Committed: the plan is stored, whoever went away meanwhile. Should
	// applying it fail now (a full disk), it is still stored: the store's
	// poll finishes it once it can (finishPendingPlans), as the next start
	// or import would, so the answer must not say that nothing changed.
	if err := db.applyStage(context.WithoutCancel(ctx), id); err != nil {
		db.stagePending.Store(true)
		db.space.log.Warn("a committed plan is not fully applied yet; it is finished once the store can write", "err", err)
	}
	return nil
}

// finishPendingPlans finishes a committed plan whose apply failed, from
// the store's poll; plans are still applied one at a time.
func (db *DB) finishPendingPlans() {
	if !db.stagePending.Load() || !db.Storage().BulkWrites || !db.planMu.TryLock() {
		return
	}
	defer db.planMu.Unlock()
	if err := db.finishStagedPlans(context.Background()); err != nil {
		db.space.log.Warn("finish a committed plan", "err", err)
		return
	}
	db.stagePending.Store(false)
	db.space.log.Info("a committed plan is now fully applied")
}

// stagePlan writes the plan's stage and commits it (steps 1 and 2), or
// leaves nothing behind.
func (db *DB) stagePlan(ctx context.Context, p store.Plan) (string, error) {
	id := uuid.NewString()
	snap := db.bdb.NewTransaction(false)
	n := 0
	var err error
	w := &stageWriter{snap: snap, twice: writtenTwice(p), written: map[string][]byte{}, flush: func(chunk []byte) error {
		n++
		key := chunkKey(id, n)
		return db.update(ctx, func(txn *badger.Txn) error { return txn.Set([]byte(key), chunk) })
	}}
	err = writePlan(w, p)
	if err == nil {
		err = w.close()
	}
	snap.Discard()
	if err == nil {
		err = db.update(ctx, func(txn *badger.Txn) error {
			if p.Scope != nil {
				if err := checkScope(txn, p); err != nil {
					return err
				}
			}
			return txn.Set([]byte(commitKey(id)), []byte(fmt.Sprint(n)))
		})
	}
	if err != nil {
		// Not committed: the chunks are dropped, and were never read.
		if derr := db.dropStage(context.WithoutCancel(ctx), id); derr != nil {
			err = errors.Join(err, derr)
		}
		return "", fmt.Errorf("stage plan: %w", err)
	}
	return id, nil
}

// applyStage makes a committed stage's writes, chunk by chunk, and removes
// the stage.
func (db *DB) applyStage(ctx context.Context, id string) error {
	for _, key := range db.stageKeys(id) {
		if strings.HasSuffix(key, "/commit") {
			continue
		}
		err := db.update(ctx, func(txn *badger.Txn) error {
			item, err := txn.Get([]byte(key))
			if err != nil {
				return err
			}
			chunk, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := applyChunk(txn, chunk); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			return txn.Delete([]byte(key))
		})
		if err != nil {
			return fmt.Errorf("apply staged plan: %w", err)
		}
	}
	return db.update(ctx, func(txn *badger.Txn) error { return txn.Delete([]byte(commitKey(id))) })
}

func applyChunk(txn *badger.Txn, chunk []byte) error {
	for len(chunk) > 0 {
		kind := chunk[0]
		chunk = chunk[1:]
		key, rest, ok := readField(chunk)
		if !ok {
			return errors.New("broken chunk")
		}
		val, rest, ok := readField(rest)
		if !ok {
			return errors.New("broken chunk")
		}
		chunk = rest
		var err error
		switch kind {
		case opSet:
			err = txn.Set(bytes.Clone(key), bytes.Clone(val))
		case opDel:
			err = txn.Delete(bytes.Clone(key))
		default:
			err = fmt.Errorf("unknown op %q", kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readField(b []byte) (field, rest []byte, ok bool) {
	n, size := binary.Uvarint(b)
	if size <= 0 || uint64(len(b)-size) < n {
		return nil, nil, false
	}
	return b[size : size+int(n)], b[size+int(n):], true
}

// stageKeys lists a stage's keys in order: its chunks, then its marker.
func (db *DB) stageKeys(id string) []string {
	var keys []string
	_ = db.bdb.View(func(txn *badger.Txn) error {
		prefix := []byte(stagePrefix + id + "/")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, string(it.Item().KeyCopy(nil)))
		}
		return nil
	})
	return keys
}

// dropStage deletes an uncommitted stage.
func (db *DB) dropStage(ctx context.Context, id string) error {
	for _, key := range db.stageKeys(id) {
		if err := db.update(ctx, func(txn *badger.Txn) error { return txn.Delete([]byte(key)) }); err != nil {
			return fmt.Errorf("drop staged plan: %w", err)
		}
	}
	return nil
}

// finishStagedPlans applies every committed stage and drops every other:
// what a crash or a failed write left behind.
func (db *DB) finishStagedPlans(ctx context.Context) error {
	committed := map[string]bool{}
	var ids []string
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(stagePrefix)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			rest := strings.TrimPrefix(string(it.Item().Key()), stagePrefix)
			id, part, _ := strings.Cut(rest, "/")
			if _, seen := committed[id]; !seen {
				ids = append(ids, id)
				committed[id] = false
			}
			if part == "commit" {
				committed[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if committed[id] {
			err = db.applyStage(ctx, id)
		} else {
			err = db.dropStage(ctx, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
