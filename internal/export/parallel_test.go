package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// storedRecords are n records as a walk gives them, with their bodies,
// the kinds of items() in turn.
func storedRecords(t testing.TB, n int) []store.StoredRecord {
	t.Helper()
	kinds := items()
	out := make([]store.StoredRecord, 0, n)
	for i := range n {
		it := kinds[i%len(kinds)]
		id := fmt.Sprintf("%s-%06d", it.Stored.ID, i)
		r := it.Record
		r.ID = id
		body, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sr := it.Stored
		sr.ID, sr.Seq, sr.Body, sr.Sig = id, uint64(i+1), body, []byte("sig")
		if r.Type == care.RecordMedication {
			sr.CosignCode = fmt.Sprintf("c%d", i%5)
		}
		out = append(out, sr)
	}
	return out
}

// cosignersOf names co-signers for some medication records, as the
// server's lookup does.
func cosignersOf(sr store.StoredRecord) ([]string, error) {
	if sr.CosignCode == "c1" || sr.CosignCode == "c3" {
		return []string{"u-nils", "u-" + sr.CosignCode}, nil
	}
	return nil, nil
}

// sequential writes the records through the format's Writer, one after
// the other: what Parallel must write, byte for byte.
func sequential(t testing.TB, format string, recs []store.StoredRecord) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w Writer
	var err error
	if format == "csv" {
		w, err = NewCSV(&buf, names)
	} else {
		w, err = NewFHIR(&buf, names, t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	var dec Decoder
	for _, sr := range recs {
		it, err := dec.Decode(sr)
		if err != nil {
			t.Fatal(err)
		}
		it.Cosigners, _ = cosignersOf(sr)
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newParallelOf(t testing.TB, format string, w io.Writer, workers int) *Parallel {
	t.Helper()
	var p *Parallel
	var err error
	if format == "csv" {
		p, err = NewParallelCSV(w, names, workers, cosignersOf)
	} else {
		p, err = NewParallelFHIR(w, names, t0, workers, cosignersOf)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Parallel writes what the Writer writes, byte for byte, whatever the
// number of records (none, within one batch, at and around a batch's
// edge, several batches) and of workers; the walk may reuse a body's
// bytes as soon as Add returns.
func TestParallelWritesAsWriter(t *testing.T) {
	for _, format := range []string{"csv", "fhir"} {
		for _, n := range []int{0, 1, 7, parallelBatch - 1, parallelBatch, parallelBatch + 1, 5*parallelBatch + 3} {
			recs := storedRecords(t, n)
			want := sequential(t, format, recs)
			for _, workers := range []int{1, 2, 7} {
				t.Run(fmt.Sprintf("%s/n=%d/workers=%d", format, n, workers), func(t *testing.T) {
					var got bytes.Buffer
					p := newParallelOf(t, format, &got, workers)
					reused := make([]byte, 0, 4096)
					for _, sr := range recs {
						// The walk's buffer: the same bytes for every record,
						// overwritten after Add.
						reused = append(reused[:0], sr.Body...)
						sr.Body = reused
						if err := p.Add(sr); err != nil {
							t.Fatal(err)
						}
						for i := range reused {
							reused[i] = 'x'
						}
					}
					sent, err := p.Close()
					if err != nil {
						t.Fatal(err)
					}
					if sent != n {
						t.Errorf("sent %d of %d", sent, n)
					}
					if !bytes.Equal(got.Bytes(), want) {
						t.Errorf("differs from the Writer's (%d bytes against %d):\n%.600s\nwant\n%.600s", got.Len(), len(want), got.Bytes(), want)
					}
				})
			}
		}
	}
}

// addAll adds the records until Add fails, and says how many it took.
func addAll(p *Parallel, recs []store.StoredRecord) (added int, err error) {
	for _, sr := range recs {
		if err := p.Add(sr); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// failAfter fails every write once it has taken limit bytes.
type failAfter struct {
	limit, n int
}

var errClientGone = errors.New("client went away")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n+len(p) > f.limit {
		return 0, errClientGone
	}
	f.n += len(p)
	return len(p), nil
}

// A writer that fails stops the export: Add returns its error soon (the
// walk does not go on reading the store for nothing), Close returns it,
// and sent counts only what was written before.
func TestParallelStopsOnWriteError(t *testing.T) {
	recs := storedRecords(t, 40*parallelBatch)
	for _, format := range []string{"csv", "fhir"} {
		t.Run(format, func(t *testing.T) {
			before := runtime.NumGoroutine()
			w := &failAfter{limit: 200 << 10}
			p := newParallelOf(t, format, w, 2)
			added, addErr := addAll(p, recs)
			if !errors.Is(addErr, errClientGone) {
				t.Fatalf("Add went on to the end (%d records) after the writer failed: %v", added, addErr)
			}
			if added > 20*parallelBatch {
				t.Errorf("%d records added after a failure at 200 KiB", added)
			}
			sent, err := p.Close()
			if !errors.Is(err, errClientGone) {
				t.Fatalf("Close: %v, want the writer's error", err)
			}
			if sent == 0 || sent >= added || sent%parallelBatch != 0 {
				t.Errorf("sent %d of %d added: want the whole batches written before the failure", sent, added)
			}
			waitGoroutines(t, before)
		})
	}
}

// A record that does not decode fails the export with its id; the
// batches before it are written, nothing after it.
func TestParallelDecodeError(t *testing.T) {
	recs := storedRecords(t, 3*parallelBatch)
	bad := parallelBatch + 10
	recs[bad].Body = []byte(`{"type":`)
	for _, format := range []string{"csv", "fhir"} {
		t.Run(format, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var out bytes.Buffer
			p := newParallelOf(t, format, &out, 2)
			_, _ = addAll(p, recs) // the error is the bad record's, and Close returns it
			sent, err := p.Close()
			if err == nil || !strings.Contains(err.Error(), recs[bad].ID) {
				t.Fatalf("Close: %v, want the error of record %s", err, recs[bad].ID)
			}
			if sent != parallelBatch {
				t.Errorf("sent %d, want the first batch's %d", sent, parallelBatch)
			}
			if strings.Contains(out.String(), recs[bad-1].ID) || strings.Contains(out.String(), recs[len(recs)-1].ID) {
				t.Error("records of the failed batch or after it were written")
			}
			waitGoroutines(t, before)
		})
	}
}

func TestParallelMisuse(t *testing.T) {
	p := newParallelOf(t, "csv", io.Discard, 1)
	if _, err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(storedRecords(t, 1)[0]); err == nil {
		t.Error("Add after Close was taken")
	}
	if _, err := p.Close(); err == nil {
		t.Error("a second Close said nothing")
	}
}

// waitGoroutines fails unless the goroutines are back to n: Close ends
// the workers and the writer.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func BenchmarkParallel(b *testing.B) {
	recs := storedRecords(b, 20_000)
	for _, format := range []string{"csv", "fhir"} {
		b.Run(format+"/sequential", func(b *testing.B) {
			for b.Loop() {
				sequential(b, format, recs)
			}
			b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run(format+"/parallel", func(b *testing.B) {
			for b.Loop() {
				p := newParallelOf(b, format, io.Discard, runtime.GOMAXPROCS(0))
				if _, err := addAll(p, recs); err != nil {
					b.Fatal(err)
				}
				if _, err := p.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// Abort, when the walk failed, writes the records added but not the
// Bundle's end, which would make a cut-off export read as complete.
func TestParallelAbort(t *testing.T) {
	recs := storedRecords(t, 2*parallelBatch+parallelBatch/2)
	for _, format := range []string{"csv", "fhir"} {
		t.Run(format, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var out bytes.Buffer
			p := newParallelOf(t, format, &out, 2)
			if _, err := addAll(p, recs); err != nil {
				t.Fatal(err)
			}
			if sent := p.Abort(); sent != len(recs) {
				t.Errorf("sent %d of the %d added", sent, len(recs))
			}
			if !strings.Contains(out.String(), recs[len(recs)-1].ID) {
				t.Error("the last record added was not written")
			}
			if format == "fhir" && (strings.HasSuffix(out.String(), "]}") || json.Valid(out.Bytes())) {
				t.Errorf("an aborted Bundle was closed: it ends %q", out.String()[max(0, out.Len()-20):])
			}
			if _, err := p.Close(); err == nil {
				t.Error("Close after Abort said nothing")
			}
			waitGoroutines(t, before)
		})
	}
}
