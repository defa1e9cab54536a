package badger

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/arena"
	"beredskap/internal/store"
)

// A walk's page: at most walkPage records or walkPageBytes of bodies
// (a medication record carries up to two signatures of 64 KiB each), so
// that what a walk holds stays the same at a hundred records or a million.
const (
	walkPage      = 500
	walkPageBytes = 4 << 20
)

// WalkRecords calls fn with every record f selects, with its body: in id
// order, or, for a filter on one patient or author, newest received
// first as ListRecords lists them.
//
// Each page is read in a read transaction of its own and handed to fn
// after that transaction ended: an export to a slow client then holds
// neither a Badger snapshot nor openMu (which the swap from read-only to
// writable waits for) for the whole download. The walk is a pipeline of
// goroutines: one reads a page from Badger while another decodes the one
// before it (in id order, the stored records' JSON and their bodies'
// base64 are decoded off the goroutine that holds the transaction: that
// was more than half of its time) and fn works through the one before
// that. At most five pages are held at a time, and the pages fn is done
// with are filled again, their records' bodies decoded into the same
// bytes: fn may not keep a body or a signature after it returns.
//
// The next page starts after the last id, or the last index key, the
// previous one looked at, and a record's index keys do not move but by a
// change of state, which happens once (new to entered or void), so no
// record is given twice.
func (db *DB) WalkRecords(ctx context.Context, f store.RecordFilter, fn func(store.StoredRecord) error) error {
	w := walker{db: db, f: f, prefix: recordIndexFor(f)}
	w.start = w.prefix + "\xff"
	if !f.Since.IsZero() {
		w.sinceKey = w.prefix + sortableTime(f.Since)
	}
	next := w.next
	if f.Patient == "" && f.Author == "" {
		// Most of the store: read it in the order it is kept.
		next = w.nextByID
	}
	var dec store.RecordDecoder
	decode := func(buf *pageBuf) error { return buf.decode(f, &dec) }
	newPage := func() *pageBuf { return &pageBuf{recs: make([]store.StoredRecord, 0, walkPage)} }
	// Pages fn is done with go back to the reader, which fills them
	// again: a page's slices (500 records of some 350 bytes) and its
	// bodies, made anew for each page, were most of a walk's garbage.
	return store.WalkPages(ctx, newPage, next, decode, fn)
}

// walker reads a walk's pages one after the other.
type walker struct {
	db       *DB
	f        store.RecordFilter
	prefix   string
	sinceKey string
	start    string // the index key to seek to (the last one looked at)
	resumed  bool   // start was looked at: skip it
	after    string // nextByID: the last record id looked at
}

// pageBuf is one page of a walk: its records, and the bodies and
// signatures they point into, which the walk's fn may not keep. A page
// read in id order (nextByID) holds the stored values as read, in raws,
// until decode makes its records of them.
type pageBuf struct {
	recs   []store.StoredRecord
	bodies arena.Bytes
	raws   []rawRecord
	raw    arena.Bytes // the bytes raws point into
}

// rawRecord is a record as nextByID read it: its id, its stored JSON and
// its stored body.
type rawRecord struct {
	id, rec, body []byte
}

// Records are the page's records.
func (b *pageBuf) Records() []store.StoredRecord { return b.recs }

// Reset empties the page, to be filled again.
func (b *pageBuf) Reset() {
	b.recs = b.recs[:0]
	b.bodies.Reset()
	clear(b.raws)
	b.raws = b.raws[:0]
	b.raw.Reset()
}

// decode makes the page's records of its raw values, those f selects, with
// their bodies; it leaves a page without raw values as it is.
func (b *pageBuf) decode(f store.RecordFilter, dec *store.RecordDecoder) error {
	for i := range b.raws {
		raw := &b.raws[i]
		b.recs = append(b.recs, store.StoredRecord{})
		r := &b.recs[len(b.recs)-1]
		if err := dec.Decode(raw.rec, r); err != nil {
			return fmt.Errorf("decode record %s: %w", raw.id, err)
		}
		if !matches(f, *r) {
			*r, b.recs = store.StoredRecord{}, b.recs[:len(b.recs)-1]
			continue
		}
		var err error
		if r.Body, r.Sig, err = decodeBody(raw.body, &b.bodies); err != nil {
			return fmt.Errorf("record %s: %w", raw.id, err)
		}
	}
	return nil
}

// nextByID reads the page of records after the last one looked at, in id
// order: the records' own keys and their bodies, each through one
// iterator stepping forward, so that each table block is read and
// decoded once for the whole walk. An index walk (next) looks the
// records of each page up in id order too, but the pages' ids are spread
// over the whole store, so every page reads most blocks again: at a
// million records that was most of an export's time. A filter on one
// patient or author walks its index instead (next), which holds only
// its records.
//
// The values are copied as they are stored, into buf.raws: decode, on
// another goroutine, makes the records of them and applies the filter.
// Every body of the page is read then, those f leaves out too: a filter
// that leaves out most of the store costs what a whole walk costs.
func (w *walker) nextByID(ctx context.Context, buf *pageBuf) (more bool, err error) {
	err = w.db.view(ctx, func(txn *badger.Txn) error {
		buf.Reset()
		raws := buf.raws
		defer func() { buf.raws = raws }()
		// Not prefetched: a prefetched value is a copy made for it, where
		// Value copies into a buffer the iterator reuses.
		ri := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("rec/")})
		defer ri.Close()
		bi := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("recbody/")})
		defer bi.Close()
		size, n := 0, 0
		// The last key looked at and the body's key are kept in buffers
		// of their own: strings made for them were garbage per record.
		var last []byte
		bodyKey := []byte("recbody/")
		for ri.Seek([]byte(recordKey(w.after) + "\x00")); ri.Valid(); ri.Next() {
			if len(raws) == walkPage || size >= walkPageBytes {
				more = true
				break
			}
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := ri.Item()
			id := item.Key()[len("rec/"):]
			last = append(last[:0], id...)
			if item.ValueSize() == 0 {
				continue // purged, until its keys are dropped
			}
			raw := rawRecord{id: buf.raw.Keep(id)}
			if err := item.Value(func(v []byte) error { raw.rec = buf.raw.Keep(v); return nil }); err != nil {
				return fmt.Errorf("read record %s: %w", id, err)
			}
			bodyKey = append(bodyKey[:len("recbody/")], id...)
			if err := valueAtKey(bi, bodyKey, func(v []byte) error { raw.body = buf.raw.Keep(v); return nil }); err != nil {
				return err
			}
			raws = append(raws, raw)
			size += len(raw.rec) + len(raw.body)
		}
		if last != nil {
			w.after = string(last)
		}
		return ctx.Err()
	})
	return more, err
}

// next reads the page after the last one; more says whether there may
// be another.
//
// The page's index keys come first (keys only), then the records and
// their bodies, in id order, each through one iterator: an iterator
// decodes a table block once for all the keys in it and steps from one
// to the next, where a Get per key looks through every level and decodes
// the block again (at a million records, most of a walk's time).
func (w *walker) next(ctx context.Context, buf *pageBuf) (more bool, err error) {
	err = w.db.view(ctx, func(txn *badger.Txn) error {
		buf.Reset()
		recs := buf.recs
		defer func() { buf.recs = recs }()
		var keys, ids []string
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte(w.prefix)})
		for it.Seek([]byte(w.start)); it.Valid(); it.Next() {
			key := string(it.Item().Key())
			if w.resumed && key == w.start {
				continue
			}
			if w.sinceKey != "" && key < w.sinceKey {
				break
			}
			if len(keys) == walkPage {
				more = true
				break
			}
			keys = append(keys, key)
			ids = append(ids, key[strings.LastIndexByte(key, '/')+1:])
		}
		it.Close()
		if len(keys) == 0 {
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		order := make([]int, len(ids)) // positions in the index, in id order
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })

		page := make([]store.StoredRecord, len(ids))
		keep := make([]bool, len(ids))
		ri := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("rec/")})
		defer ri.Close()
		for _, i := range order {
			if err := valueAt(ri, recordKey(ids[i]), func(v []byte) error {
				if err := store.DecodeStoredRecord(v, &page[i]); err != nil {
					return fmt.Errorf("decode record %s: %w", ids[i], err)
				}
				return nil
			}); err != nil {
				return err
			}
			keep[i] = matches(w.f, page[i])
		}
		// Bodies up to walkPageBytes: when a page's bodies would hold more,
		// the page ends before the first record left out, in index order
		// (never before its first record), and the rest comes next time.
		cut, size := len(ids), 0
		bi := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("recbody/")})
		defer bi.Close()
		for _, i := range order {
			if !keep[i] || i >= cut {
				continue
			}
			if size >= walkPageBytes && i > 0 {
				for j := i; j < cut; j++ {
					size -= len(page[j].Body) + len(page[j].Sig)
					page[j].Body, page[j].Sig = nil, nil
				}
				cut = i
				continue
			}
			if err := valueAt(bi, recordBodyKey(ids[i]), func(v []byte) (err error) {
				if page[i].Body, page[i].Sig, err = decodeBody(v, nil); err != nil {
					return fmt.Errorf("record %s: %w", ids[i], err)
				}
				return nil
			}); err != nil {
				return err
			}
			size += len(page[i].Body) + len(page[i].Sig)
		}
		for i := 0; i < cut; i++ {
			if keep[i] {
				recs = append(recs, page[i])
			}
		}
		w.start, w.resumed = keys[cut-1], true
		more = more || cut < len(keys)
		return nil
	})
	return more, err
}

// valueAt moves a forward iterator to key (a few steps when key is
// near, else a seek) and calls fn with its value, which is valid only
// during the call (decoding copies what it keeps); a key that is not
// there, or a purged record's empty value, is ErrNotFound.
func valueAt(it *badger.Iterator, key string, fn func(v []byte) error) error {
	return valueAtKey(it, []byte(key), fn)
}

// valueAtKey is valueAt with the key in bytes, which it does not keep.
func valueAtKey(it *badger.Iterator, k []byte, fn func(v []byte) error) error {
	for steps := 0; it.Valid() && bytes.Compare(it.Item().Key(), k) < 0; steps++ {
		if steps == 8 {
			it.Seek(k)
			break
		}
		it.Next()
	}
	if !it.Valid() || bytes.Compare(it.Item().Key(), k) > 0 {
		it.Seek(k) // first use, or a key before the iterator
	}
	if !it.Valid() || !bytes.Equal(it.Item().Key(), k) || it.Item().ValueSize() == 0 {
		return notFound(string(k))
	}
	if err := it.Item().Value(fn); err != nil {
		return fmt.Errorf("read %s: %w", kind(string(k)), err)
	}
	return nil
}

var errBodyShape = errors.New("not the usual shape")

// decodeBody reads a stored recordBody. json.Unmarshal spent most of a
// walk's time checking and unquoting the base64 of the body; what
// putJSON wrote is always {"body":"<base64>","sig":"<base64>"}, and that
// is read directly. Anything else (a null, an older layout) goes through
// store.DecodeJSON.
//
// The bytes come from a, when a is not nil (the fallback makes its own).
func decodeBody(v []byte, a *arena.Bytes) (body, sig []byte, err error) {
	body, sig, err = decodeBodyFast(v, a)
	if err == nil {
		return body, sig, nil
	}
	var b recordBody
	if err := store.DecodeJSON(v, &b); err != nil {
		return nil, nil, fmt.Errorf("decode record body: %w", err)
	}
	return b.Body, b.Sig, nil
}

func decodeBodyFast(v []byte, a *arena.Bytes) (body, sig []byte, err error) {
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
	if body, err = decode64(b64, a); err != nil {
		return nil, nil, err
	}
	if sig, err = decode64(s64, a); err != nil {
		return nil, nil, err
	}
	return body, sig, nil
}

// decode64 decodes standard base64 (a quote or a backslash, which
// base64 has not, fails it and sends the value to encoding/json).
func decode64(s []byte, a *arena.Bytes) ([]byte, error) {
	var out []byte
	if n := base64.StdEncoding.DecodedLen(len(s)); a != nil {
		out = a.Alloc(n)
	} else {
		out = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(out, s)
	if err != nil {
		return nil, errBodyShape
	}
	return out[:n], nil
}
