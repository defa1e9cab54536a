package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// orderOpener opens nothing: it notes which sealed record each call was
// for, in the order the calls began, and holds every call until gate is
// closed.
type orderOpener struct {
	gate    chan struct{}
	mu      sync.Mutex
	started []string
}

func (o *orderOpener) OpenRecord(sealed []byte) ([]byte, error) {
	o.mu.Lock()
	o.started = append(o.started, string(sealed))
	o.mu.Unlock()
	<-o.gate
	return nil, errors.New("not a box")
}

func (o *orderOpener) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.started)
}

func items(job string, n int) []wire.SealedRecord {
	out := make([]wire.SealedRecord, n)
	for i := range out {
		out[i] = wire.SealedRecord{ID: fmt.Sprintf("%s-%d", job, i), Sealed: []byte(job)}
	}
	return out
}

// Requests are opened oldest first: no record of a later request is
// taken before every record of an earlier one has been, whatever the
// number of workers; and each request gets one answer per record, in its
// order.
func TestOpenQueueTakesRequestsInTurn(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			q := newQueue(workers)
			var taken string // under q.mu
			q.took = func(rec wire.SealedRecord) { taken += string(rec.Sealed) }
			o := &orderOpener{gate: make(chan struct{})}
			jobs := []string{"a", "b", "c"}
			sizes := []int{workers + 5, 1, 40}
			results := make([][]openResult, len(jobs))
			var wg sync.WaitGroup
			for i, job := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := q.openAll(context.Background(), o, store.Device{}, items(job, sizes[i]))
					if err != nil {
						t.Error(err)
					}
					results[i] = res
				}()
				// Each request is queued before the next; the first one
				// holds every worker at the gate meanwhile, and more of it
				// is left.
				waitUntil(t, func() bool {
					q.mu.Lock()
					defer q.mu.Unlock()
					return len(q.jobs) == i+1
				})
			}
			waitUntil(t, func() bool { return o.count() == min(workers, sizes[0]) })
			close(o.gate)
			wg.Wait()
			want := ""
			for i, job := range jobs {
				for range sizes[i] {
					want += job
				}
				if len(results[i]) != sizes[i] {
					t.Fatalf("request %s: %d answers for %d records", job, len(results[i]), sizes[i])
				}
				for k, r := range results[i] {
					if r.res == nil || r.res.ID != fmt.Sprintf("%s-%d", job, k) || r.res.Code != wire.CodeInvalidInput {
						t.Fatalf("request %s, record %d: %+v", job, k, r.res)
					}
				}
			}
			if taken != want {
				t.Fatalf("records taken in the order\n%s\nwant\n%s", taken, want)
			}
		})
	}
}

// endedBehindHeld makes a queue of one worker, held at the opener's gate
// by request "a" (one record, its answer on first), with request "b" (50
// records, its answer on ended) queued behind it and then ended.
func endedBehindHeld(t *testing.T) (q *queue, o *orderOpener, first, ended chan error) {
	t.Helper()
	q = newQueue(1)
	o = &orderOpener{gate: make(chan struct{})}
	first, ended = make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := q.openAll(context.Background(), o, store.Device{}, items("a", 1))
		first <- err
	}()
	waitUntil(t, func() bool { return o.count() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := q.openAll(ctx, o, store.Device{}, items("b", 50))
		ended <- err
	}()
	waitUntil(t, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		return len(q.jobs) == 1
	})
	cancel()
	return q, o, first, ended
}

// A request whose context ends while it waits returns its context's
// error, and the queue goes on with the requests after it.
func TestOpenQueueLeavesAnEndedRequest(t *testing.T) {
	q, o, first, ended := endedBehindHeld(t)
	close(o.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Fatalf("the ended request returned %v", err)
	}
	if n := o.count(); n != 1 {
		t.Fatalf("%d records opened; the ended request's should not be", n)
	}
	res, err := q.openAll(context.Background(), o, store.Device{}, items("c", 3))
	if err != nil || len(res) != 3 {
		t.Fatalf("after the ended request: %d answers, %v", len(res), err)
	}
}

// A record whose opening panics fails its own request, and the workers
// go on with the next.
func TestOpenQueueSurvivesAPanic(t *testing.T) {
	q := newQueue(2)
	_, err := q.openAll(context.Background(), panicOpener{}, store.Device{}, items("a", 5))
	if err == nil {
		t.Fatal("a request whose opening panicked returned no error")
	}
	o := &orderOpener{gate: make(chan struct{})}
	close(o.gate)
	res, err := q.openAll(context.Background(), o, store.Device{}, items("b", 4))
	if err != nil || len(res) != 4 {
		t.Fatalf("after the panic: %d answers, %v", len(res), err)
	}
}

type panicOpener struct{}

func (panicOpener) OpenRecord([]byte) ([]byte, error) { panic("broken opener") }

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// A request whose context ends is answered at once, even while older
// requests hold every worker: a phone that gave up does not keep its
// handler waiting for its turn.
func TestOpenQueueAnswersAnEndedRequestAtOnce(t *testing.T) {
	q, o, first, ended := endedBehindHeld(t)
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the ended request returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the ended request waited for the worker the older request holds")
	}
	close(o.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	res, err := q.openAll(context.Background(), o, store.Device{}, items("c", 3))
	if err != nil || len(res) != 3 {
		t.Fatalf("after the ended request: %d answers, %v", len(res), err)
	}
	if n := o.count(); n != 4 {
		t.Fatalf("%d records opened, want 4: the ended request's none", n)
	}
}
