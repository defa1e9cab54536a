package store

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// testPage is a page of WalkPages' test: ids read, records made of them.
type testPage struct {
	ids    []int
	recs   []StoredRecord
	resets *atomic.Int32 // of every page of the walk
}

func (p *testPage) Records() []StoredRecord { return p.recs }
func (p *testPage) Reset()                  { p.ids, p.recs = p.ids[:0], p.recs[:0]; p.resets.Add(1) }

// TestWalkPages: every record once and in order, pages reset and reused,
// and each stage's error or the context's ending the walk with no stage
// still at work.
func TestWalkPages(t *testing.T) {
	errRead, errMade, errFn := errors.New("read"), errors.New("made"), errors.New("fn")
	cases := []struct {
		name                   string
		pages                  int
		failRead, failMade     int // the page whose read or made fails (0: none)
		failFn, cancelAt       int // the record at which fn fails or cancels (0: none)
		want                   error
		wantRecords, wantPages int
	}{
		{name: "all", pages: 20, wantRecords: 20 * 3, wantPages: 20},
		{name: "none", pages: 0},
		{name: "read fails", pages: 20, failRead: 5, want: errRead, wantRecords: 4 * 3},
		{name: "made fails", pages: 20, failMade: 5, want: errMade, wantRecords: 4 * 3},
		{name: "fn fails", pages: 20, failFn: 7, want: errFn, wantRecords: 6},
		{name: "context ends", pages: 20, cancelAt: 7, want: context.Canceled, wantRecords: 9}, // the page under way is given whole
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var running atomic.Int32 // reads and mades under way
			made, reads, news := 0, 0, 0
			var resets atomic.Int32
			newPage := func() *testPage { news++; return &testPage{resets: &resets} }
			read := func(ctx context.Context, p *testPage) (bool, error) {
				running.Add(1)
				defer running.Add(-1)
				if reads++; reads == c.failRead {
					return false, errRead
				}
				if c.pages == 0 {
					return false, nil
				}
				for i := range 3 {
					p.ids = append(p.ids, (reads-1)*3+i)
				}
				return reads < c.pages, nil
			}
			mk := func(p *testPage) error {
				running.Add(1)
				defer running.Add(-1)
				if made++; made == c.failMade {
					return errMade
				}
				for _, id := range p.ids {
					p.recs = append(p.recs, StoredRecord{ID: fmt.Sprint(id)})
				}
				return nil
			}
			var got []string
			err := WalkPages(ctx, newPage, read, mk, func(r StoredRecord) error {
				if len(got)+1 == c.failFn {
					return errFn
				}
				got = append(got, r.ID)
				if len(got) == c.cancelAt {
					cancel()
				}
				return nil
			})
			if n := running.Load(); n != 0 {
				t.Fatalf("%d stages still running after the walk", n)
			}
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if c.want == errFn && err != errFn {
				t.Fatalf("fn's error wrapped: %v", err)
			}
			if len(got) != c.wantRecords {
				t.Fatalf("%d records, want %d", len(got), c.wantRecords)
			}
			for i, id := range got {
				if id != fmt.Sprint(i) {
					t.Fatalf("record %d is %s", i, id)
				}
			}
			// A walk of many pages makes as many as it holds at once (five:
			// one at each stage and one between each two) and fills them
			// again, each reset first.
			if c.wantPages > 0 && news > walkPagesHeld {
				t.Fatalf("%d pages made for a walk of %d", news, c.wantPages)
			}
			if c.wantPages > 0 && resets.Load() != int32(reads-news) {
				t.Fatalf("%d pages filled again, %d reset", reads-news, resets.Load())
			}
		})
	}
}
