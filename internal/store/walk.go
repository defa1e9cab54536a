package store

import (
	"context"
	"fmt"
	"sync"
)

// walkPagesHeld is how many pages a walk holds at most: the one the
// reader fills, the one being made, the one fn works through, and one
// waiting in each of the two channels between them.
const walkPagesHeld = 5

// A WalkPage is one page of a walk, as a store's WalkRecords fills it:
// its records once made, and Reset to be filled again.
type WalkPage interface {
	Records() []StoredRecord
	Reset()
}

// WalkPages is the pipeline both stores' WalkRecords run: one goroutine
// reads pages (read, called again after each page while more is true,
// keeps its own place), a second makes their records (made: decoding,
// opening) while the first reads the next, and fn works through the
// records of the page before that, on the caller's goroutine. A walk
// holds walkPagesHeld pages at most; pages fn is done with are given to
// read again, reset, and newPage makes the others. So a page's records,
// and what they point into, are fn's only until it returns.
//
// The walk ends at fn's first error, which it returns as it is, or
// read's or made's, wrapped; when ctx ends, the walk ends with its
// error. No read or made runs after WalkPages returns.
func WalkPages[P WalkPage](ctx context.Context, newPage func() P, read func(ctx context.Context, p P) (more bool, err error), made func(p P) error, fn func(StoredRecord) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // no read outlives the call (the store may be closed next)
	defer cancel()
	type page struct {
		p    P
		more bool
		err  error
	}
	readc := make(chan page, 1)           // from the reader to the maker
	madec := make(chan page, 1)           // from the maker to fn
	spares := make(chan P, walkPagesHeld) // room for every page: none is dropped
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(readc)
		for {
			var p P
			select {
			case p = <-spares:
				p.Reset()
			default:
				p = newPage()
			}
			more, err := read(ctx, p)
			select {
			case readc <- page{p, more, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || !more {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer close(madec)
		for pg := range readc {
			if pg.err == nil {
				pg.err = made(pg.p)
			}
			select {
			case madec <- pg:
			case <-ctx.Done():
				return
			}
			if pg.err != nil {
				return
			}
		}
	}()
	for pg := range madec {
		if pg.err != nil {
			return fmt.Errorf("walk records: %w", pg.err)
		}
		recs := pg.p.Records()
		for i := range recs {
			if err := fn(recs[i]); err != nil {
				return err
			}
			recs[i] = StoredRecord{}
		}
		select {
		case spares <- pg.p: // fn is done with it: the reader may fill it again
		default:
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
	}
	// The reader and the maker also stop, without a last page, when ctx
	// ends.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk records: %w", err)
	}
	return nil
}
