package badger

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// A walk's page: at most walkPage records or walkPageBytes of bodies
// (a medication record carries up to two signatures of 64 KiB each), so
// that what a walk holds stays the same at a hundred records or a million.
const (
	walkPage      = 500
	walkPageBytes = 4 << 20
)

// WalkRecords calls fn with every record f selects, with its body, newest
// received first as ListRecords lists them.
//
// Each page is read in a read transaction of its own and handed to fn
// after that transaction ended: an export to a slow client then holds
// neither a Badger snapshot nor openMu (which the swap from read-only to
// writable waits for) for the whole download. While fn works through a
// page the next one is read, on the other core: reading and decoding is
// half of an export's work. At most three pages are held at a time.
//
// The next page starts after the last index key the previous one looked
// at, and a record's index keys do not move but by a change of state,
// which happens once (new to entered or void), so no record is given
// twice.
func (db *DB) WalkRecords(ctx context.Context, f store.RecordFilter, fn func(store.StoredRecord) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // no read outlives the call (the store may be closed next)
	defer cancel()
	type page struct {
		recs []store.StoredRecord
		more bool
		err  error
	}
	pages := make(chan page, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(pages)
		w := walker{db: db, f: f, prefix: recordIndexFor(f)}
		w.start = w.prefix + "\xff"
		if !f.Since.IsZero() {
			w.sinceKey = w.prefix + sortableTime(f.Since)
		}
		for {
			recs, more, err := w.next(ctx)
			select {
			case pages <- page{recs, more, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || !more {
				return
			}
		}
	}()
	for p := range pages {
		if p.err != nil {
			return fmt.Errorf("walk records: %w", p.err)
		}
		for i := range p.recs {
			if err := fn(p.recs[i]); err != nil {
				return err
			}
			p.recs[i] = store.StoredRecord{} // its body is fn's now, or garbage
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
	}
	// The reader also stops, without a last page, when ctx ends.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk records: %w", err)
	}
	return nil
}

// walker reads a walk's pages one after the other.
type walker struct {
	db       *DB
	f        store.RecordFilter
	prefix   string
	sinceKey string
	start    string // the index key to seek to (the last one looked at)
	resumed  bool   // start was looked at: skip it
}

// next reads the page after the last one; more says whether there may
// be another.
func (w *walker) next(ctx context.Context) (recs []store.StoredRecord, more bool, err error) {
	recs = make([]store.StoredRecord, 0, walkPage)
	err = w.db.view(ctx, func(txn *badger.Txn) error {
		// Keys only: index keys carry no value. The record and its body
		// are read by key; records are keyed by UUIDv7, in time order, so
		// those of one page lie close together.
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte(w.prefix)})
		defer it.Close()
		size := 0
		for it.Seek([]byte(w.start)); it.Valid(); it.Next() {
			key := string(it.Item().Key())
			if w.resumed && key == w.start {
				continue
			}
			if w.sinceKey != "" && key < w.sinceKey {
				return nil
			}
			if len(recs) == walkPage || size >= walkPageBytes {
				more = true
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			w.start, w.resumed = key, true
			id := key[strings.LastIndexByte(key, '/')+1:]
			var r store.StoredRecord
			if err := getJSON(txn, recordKey(id), &r); err != nil {
				return err
			}
			if !matches(w.f, r) {
				continue
			}
			item, err := txn.Get([]byte(recordBodyKey(id)))
			if err != nil {
				return fmt.Errorf("get %s: %w", recordBodyKey(id), err)
			}
			if err := item.Value(func(v []byte) error {
				r.Body, r.Sig, err = decodeBody(v)
				return err
			}); err != nil {
				return fmt.Errorf("record %s: %w", id, err)
			}
			size += len(r.Body) + len(r.Sig)
			recs = append(recs, r)
		}
		return nil
	})
	return recs, more, err
}

var errBodyShape = errors.New("not the usual shape")

// decodeBody reads a stored recordBody. json.Unmarshal spent most of a
// walk's time checking and unquoting the base64 of the body; what
// putJSON wrote is always {"body":"<base64>","sig":"<base64>"}, and that
// is read directly. Anything else (a null, an older layout) goes through
// encoding/json.
func decodeBody(v []byte) (body, sig []byte, err error) {
	body, sig, err = decodeBodyFast(v)
	if err == nil {
		return body, sig, nil
	}
	var b recordBody
	if err := json.Unmarshal(v, &b); err != nil {
		return nil, nil, fmt.Errorf("decode record body: %w", err)
	}
	return b.Body, b.Sig, nil
}

func decodeBodyFast(v []byte) (body, sig []byte, err error) {
	rest, ok := bytes.CutPrefix(v, []byte(`{"body":"`))
	if !ok {
		return nil, nil, errBodyShape
	}
	b64, rest, ok := bytes.Cut(rest, []byte(`","sig":"`))
	if !ok {
		return nil, nil, errBodyShape
	}
	s64, ok := bytes.CutSuffix(rest, []byte(`"}`))
	if !ok {
		return nil, nil, errBodyShape
	}
	if body, err = decode64(b64); err != nil {
		return nil, nil, err
	}
	if sig, err = decode64(s64); err != nil {
		return nil, nil, err
	}
	return body, sig, nil
}

// decode64 decodes standard base64 (a quote or a backslash, which
// base64 has not, fails it and sends the value to encoding/json).
func decode64(s []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	if err != nil {
		return nil, errBodyShape
	}
	return out[:n], nil
}
