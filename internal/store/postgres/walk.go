package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"

	"beredskap/internal/arena"
	"beredskap/internal/store"
)

// A walk's page: at most walkPage records or walkPageBytes of sealed
// values (a medication record carries up to two signatures of 64 KiB
// each), so that a walk holds the same at a hundred records or a million.
const (
	walkPage      = 500
	walkPageBytes = 4 << 20
)

// WalkRecords calls fn with every record f selects, with its body, in
// id order: pages by id, each read by one query (its own short
// transaction) and handed to fn after it, so that a slow fn holds no
// transaction open. Pages follow each other by id, so no record is
// given twice.
//
// The walk is a pipeline of goroutines: one reads a page from the
// database, copying its rows' values as they are stored, while another
// opens and decodes the page before it (the sealed data and body of
// each record: on one goroutine with the reading, that was most of an
// export's time) and fn works through the page before that. The pages
// fn is done with are filled again, their bodies opened into the same
// bytes: fn may not keep a body or a signature after it returns.
func (db *DB) WalkRecords(ctx context.Context, f store.RecordFilter, fn func(store.StoredRecord) error) error {
	after := ""
	read := func(ctx context.Context, buf *walkBuf) (bool, error) {
		more, err := db.walkPage(ctx, f, after, buf)
		if n := len(buf.raws); n > 0 {
			after = string(buf.raws[n-1].id)
		}
		return more, err
	}
	var dec store.RecordDecoder
	var scratch []byte
	open := func(buf *walkBuf) (err error) {
		scratch, err = buf.open(db, &dec, scratch)
		return err
	}
	return store.WalkPages(ctx, func() *walkBuf { return &walkBuf{} }, read, open, fn)
}

// walkBuf is one page of a walk: its rows as stored (raws, pointing into
// raw) until open makes its records of them, with their bodies and
// signatures in bodies.
type walkBuf struct {
	raws   []walkRow
	raw    arena.Bytes
	recs   []store.StoredRecord
	bodies arena.Bytes
}

// walkRow is a row as the reader read it: the record's id, its sealed
// data and its sealed body.
type walkRow struct {
	id, data, body []byte
}

// Records are the page's records, once open made them.
func (b *walkBuf) Records() []store.StoredRecord { return b.recs }

// Reset empties the page, to be filled again.
func (b *walkBuf) Reset() {
	clear(b.raws)
	b.raws = b.raws[:0]
	b.raw.Reset()
	b.recs = b.recs[:0]
	b.bodies.Reset()
}

// walkPage reads the page of records f selects after the id after into
// buf; more is whether there may be records after it.
func (db *DB) walkPage(ctx context.Context, f store.RecordFilter, after string, buf *walkBuf) (more bool, err error) {
	f.Cursor, f.Limit = "", 0
	var args []any
	cond := where(f, &args)
	args = append(args, after, walkPage)
	rows, err := db.pool.Query(ctx, `SELECT id, data, body FROM records WHERE `+cond+
		fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return false, db.mapErr(err)
	}
	defer rows.Close()
	size := 0
	for rows.Next() {
		if size >= walkPageBytes {
			return true, nil // the rest of this page comes next time
		}
		// The values are the driver's until the next row: copied as they
		// are into the page's arena.
		var id, data, body pgtype.DriverBytes
		if err := rows.Scan(&id, &data, &body); err != nil {
			return false, err
		}
		buf.raws = append(buf.raws, walkRow{id: buf.raw.Keep(id), data: buf.raw.Keep(data), body: buf.raw.Keep(body)})
		size += len(data) + len(body)
	}
	if err := rows.Err(); err != nil {
		return false, db.mapErr(err)
	}
	return len(buf.raws) == walkPage, nil
}

// open makes the page's records of its rows: each one's data opened into
// scratch (given back, grown, for the next page) and decoded, its body
// opened into the page's bodies.
func (b *walkBuf) open(db *DB, dec *store.RecordDecoder, scratch []byte) ([]byte, error) {
	var ad []byte
	for i := range b.raws {
		row := &b.raws[i]
		ad = appendAD(ad[:0], tRecords, row.id)
		plain, err := db.seal.openTo(scratch[:0], ad, row.data)
		if err != nil {
			return scratch, fmt.Errorf("open %s %s: %w", tRecords, row.id, err)
		}
		scratch = plain
		b.recs = append(b.recs, store.StoredRecord{})
		r := &b.recs[len(b.recs)-1]
		if err := dec.Decode(plain, r); err != nil {
			return scratch, fmt.Errorf("decode %s %s: %w", tRecords, row.id, err)
		}
		ad = appendAD(ad[:0], tRecordBodys, row.id)
		opened, err := db.seal.openTo(b.bodies.Alloc(db.seal.openedSize(row.body))[:0], ad, row.body)
		if err != nil {
			return scratch, fmt.Errorf("open %s %s: %w", tRecordBodys, row.id, err)
		}
		if r.Body, r.Sig, err = splitBody(string(row.id), opened); err != nil {
			return scratch, err
		}
	}
	return scratch, nil
}
