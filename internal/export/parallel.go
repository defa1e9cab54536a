package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"beredskap/internal/store"
)

// Parallel writes an export as the format's Writer does, byte for byte
// and in the order the records are added, but decodes and renders them
// on several goroutines, a batch of records each. One goroutine alone
// (the walk's) decoded every record body and wrote every row while the
// store's reader waited on the other core: an export at a million
// records used one and a half of two cores. The batches are copies (the
// walk reuses its bodies), few at a time, so that memory still does not
// grow with the number of records.
type Parallel struct {
	w         io.Writer
	format    batchFormat
	cosigners Cosigners

	cur   *batch
	free  chan *batch // batches to fill; all of them, when none is in flight
	work  chan *batch // filled, for a worker to render
	order chan *batch // filled, in the order they were filled, for the writer
	stop  chan struct{}
	done  chan struct{} // the writer has returned
	wg    sync.WaitGroup

	// Set by the writer; read once stop or done is closed.
	sent int
	err  error

	closed bool
}

// parallelBatch is how many records a batch holds: enough that handing
// it from goroutine to goroutine costs nothing per record, few enough
// that the first bytes go out at once.
const parallelBatch = 256

// batch is some records of an export: their copies, then, rendered, the
// format's bytes for them.
type batch struct {
	recs   []store.StoredRecord
	bodies []byte // the records' bodies, one after the other
	ends   []int  // where each record's body ends in bodies
	out    bytes.Buffer
	err    error
	ready  chan struct{} // a token once rendered
	dec    Decoder
	row    []string // a CSV row, reused
	entry  []byte   // FHIR entries, reused
}

// Cosigners names the users who co-signed a record on their own phones
// (Item.Cosigners). Parallel calls it on its workers, at the same time;
// an error fails the export.
type Cosigners func(store.StoredRecord) ([]string, error)

// batchFormat is a format as Parallel writes it: what comes first of
// all, what comes before the first entry and between two batches', the
// entries of a batch, and the end after n entries.
type batchFormat interface {
	begin() []byte
	before(first bool) []byte
	render(b *batch, cosigners Cosigners) error
	end(n int) []byte
}

// NewParallelCSV returns the Parallel writer of NewCSV's rows, on
// workers goroutines. The header goes to w at once. cosigners, when not
// nil, names a record's co-signers (Item.Cosigners); it is called on
// the workers, at the same time.
func NewParallelCSV(w io.Writer, names Names, workers int, cosigners Cosigners) (*Parallel, error) {
	var head bytes.Buffer
	cw := csv.NewWriter(&head)
	if err := cw.Write(Columns); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	cw.Flush()
	return newParallel(w, &csvFormat{names: names, head: head.Bytes()}, workers, cosigners)
}

// NewParallelFHIR returns the Parallel writer of NewFHIR's Bundle made at
// now, as NewParallelCSV does for CSV.
func NewParallelFHIR(w io.Writer, names Names, now time.Time, workers int, cosigners Cosigners) (*Parallel, error) {
	f, err := NewFHIR(nil, names, now)
	if err != nil {
		return nil, err
	}
	return newParallel(w, fhirFormat{f}, workers, cosigners)
}

func newParallel(w io.Writer, format batchFormat, workers int, cosigners Cosigners) (*Parallel, error) {
	workers = max(1, workers)
	// Every worker busy, one batch being filled and one being written.
	n := 2*workers + 2
	p := &Parallel{w: w, format: format, cosigners: cosigners,
		free: make(chan *batch, n), work: make(chan *batch, n), order: make(chan *batch, n),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range n {
		p.free <- &batch{ready: make(chan struct{}, 1)}
	}
	if b := format.begin(); len(b) > 0 {
		if _, err := w.Write(b); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for b := range p.work {
				b.err = p.format.render(b, p.cosigners)
				b.ready <- struct{}{}
			}
		}()
	}
	go p.write()
	return p, nil
}

// Add copies sr (its body; not its signature, which no format writes)
// into the batch being filled: sr's bytes may be reused once Add returns.
// An error is the writer's: nothing more is written.
func (p *Parallel) Add(sr store.StoredRecord) error {
	if p.closed {
		return errors.New("export: record added after Close")
	}
	if p.cur == nil {
		// The writer's error first: with batches free, the select below
		// might otherwise take one and go on reading the store for nothing.
		select {
		case <-p.stop:
			return p.err
		default:
		}
		select {
		case b := <-p.free:
			b.recs, b.bodies, b.ends = b.recs[:0], b.bodies[:0], b.ends[:0]
			b.out.Reset()
			b.err = nil
			p.cur = b
		case <-p.stop:
			return p.err
		}
	}
	b := p.cur
	b.bodies = append(b.bodies, sr.Body...)
	b.ends = append(b.ends, len(b.bodies))
	sr.Body, sr.Sig = nil, nil
	b.recs = append(b.recs, sr)
	if len(b.recs) == parallelBatch {
		p.dispatch()
	}
	return nil
}

// dispatch hands the batch being filled to the writer and a worker. The
// channels hold every batch there is, so neither send waits.
func (p *Parallel) dispatch() {
	b := p.cur
	p.cur = nil
	start := 0
	for i, end := range b.ends {
		b.recs[i].Body = b.bodies[start:end:end]
		start = end
	}
	p.order <- b
	p.work <- b
}

// write writes the rendered batches in order, until the first error,
// and gives each back to be filled again.
func (p *Parallel) write() {
	defer close(p.done)
	for b := range p.order {
		<-b.ready
		if p.err == nil {
			p.err = b.err
			if p.err == nil {
				p.err = p.emit(p.format.before(p.sent == 0), b.out.Bytes())
			}
			if p.err == nil {
				p.sent += len(b.recs)
			} else {
				close(p.stop)
			}
		}
		p.free <- b
	}
}

func (p *Parallel) emit(parts ...[]byte) error {
	for _, part := range parts {
		if len(part) == 0 {
			continue
		}
		if _, err := p.w.Write(part); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// Close writes what is left and the format's end, and returns how many
// records were written out to w (all that were added, unless err). Close
// or Abort is to be called once, also after an error: it ends the
// goroutines.
func (p *Parallel) Close() (sent int, err error) {
	if err := p.finish(); err != nil {
		return 0, err
	}
	if p.err == nil {
		p.err = p.emit(p.format.end(p.sent))
	}
	return p.sent, p.err
}

// Abort writes the records added, as Close does, but not the format's
// end: an export whose walk failed must not read as complete. It ends
// the goroutines, and returns how many records were written out to w.
func (p *Parallel) Abort() (sent int) {
	if p.finish() != nil {
		return 0
	}
	return p.sent
}

// finish hands over the last batch and waits for the workers and the
// writer.
func (p *Parallel) finish() error {
	if p.closed {
		return errors.New("export: closed twice")
	}
	p.closed = true
	if p.cur != nil && len(p.cur.recs) > 0 {
		p.dispatch()
	}
	close(p.order)
	close(p.work)
	<-p.done
	p.wg.Wait()
	return nil
}

// decode decodes the batch's record i as Decoder does, with its
// co-signers.
func (b *batch) decode(i int, cosigners Cosigners) (Item, error) {
	it, err := b.dec.Decode(b.recs[i])
	if err != nil {
		return it, err
	}
	if cosigners != nil {
		if it.Cosigners, err = cosigners(b.recs[i]); err != nil {
			return it, fmt.Errorf("record %s: %w", b.recs[i].ID, err)
		}
	}
	return it, nil
}

// csvFormat is CSVWriter's rows, batch by batch.
type csvFormat struct {
	names Names
	head  []byte
}

func (c *csvFormat) begin() []byte      { return c.head }
func (c *csvFormat) before(bool) []byte { return nil }
func (c *csvFormat) end(int) []byte     { return nil }
func (c *csvFormat) render(b *batch, cosigners Cosigners) error {
	cw := csv.NewWriter(&b.out)
	for i := range b.recs {
		it, err := b.decode(i, cosigners)
		if err != nil {
			return err
		}
		b.row = csvRow(b.row, it, c.names)
		if err := cw.Write(b.row); err != nil {
			return fmt.Errorf("csv: record %s: %w", it.Stored.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// fhirFormat is FHIRWriter's Bundle, batch by batch.
type fhirFormat struct{ f *FHIRWriter }

func (f fhirFormat) begin() []byte { return nil }
func (f fhirFormat) before(first bool) []byte {
	if first {
		return f.f.opening()
	}
	return []byte{','}
}
func (f fhirFormat) end(n int) []byte { return f.f.ending(n) }
func (f fhirFormat) render(b *batch, cosigners Cosigners) error {
	buf := b.entry[:0]
	for i := range b.recs {
		it, err := b.decode(i, cosigners)
		if err != nil {
			return err
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, err = appendEntry(buf, it, f.f.names); err != nil {
			return err
		}
	}
	b.entry = buf
	b.out.Write(buf)
	return nil
}
