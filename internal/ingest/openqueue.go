package ingest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Opening a record (one X25519 multiplication and one Ed25519
// verification) is most of a sync's work, and it needs no store and no
// other record. Every request's records are opened by one pool of
// goroutines, as many as the cores the process may use, in the order the
// requests arrived: the pool finishes the oldest request's records,
// every core on it, before it starts on the next one's.
//
// The order is what keeps the cores busy while the store writes. Were
// the records of every waiting request opened in turn, one of each
// (as a semaphore per record does), twenty phones syncing at once would
// all finish opening at the same moment, all wait for the store together
// while the cores have nothing to do, and all send their next batch at
// the same moment again. Taken oldest first, requests reach the store
// one after the other, and one is written while the next is opened. A
// surge's thousands of requests queue here instead of taking the cores
// from each other, and the first of them are answered first.

// openJob is one request's records waiting in the queue.
type openJob struct {
	ctx   context.Context
	keys  Opener
	dev   store.Device
	key   DeviceKey // dev.PublicKey, expanded once for the request
	items []wire.SealedRecord
	out   []openResult
	next  int           // the next item a worker takes, under queue.mu
	left  atomic.Int64  // the items not yet opened or skipped
	done  chan struct{} // closed when left reaches 0
	errMu sync.Mutex
	err   error
}

// queue holds the requests whose records are being opened, oldest first.
type queue struct {
	workers int
	mu      sync.Mutex
	ready   *sync.Cond
	jobs    []*openJob
	start   sync.Once
	// took, when set (by tests), is called, under mu, with each record a
	// worker takes.
	took func(rec wire.SealedRecord)
}

// openQueue is the process's one queue, with a worker for each core the
// process may use.
var openQueue = newQueue(runtime.GOMAXPROCS(0))

func newQueue(workers int) *queue {
	q := &queue{workers: max(1, workers)}
	q.ready = sync.NewCond(&q.mu)
	return q
}

// openAll opens and checks a request's records and returns the results
// in request order: whatever depends on order or on the store is decided
// afterwards, one record after the other. It returns once every record
// is opened, or with ctx's error as soon as ctx ends, even while older
// requests hold every worker (its records are then left: the workers drop
// them when they reach them).
func openAll(ctx context.Context, keys Opener, dev store.Device, items []wire.SealedRecord) ([]openResult, error) {
	return openQueue.openAll(ctx, keys, dev, items)
}

func (q *queue) openAll(ctx context.Context, keys Opener, dev store.Device, items []wire.SealedRecord) ([]openResult, error) {
	j := &openJob{ctx: ctx, keys: keys, dev: dev, items: items, out: make([]openResult, len(items)), done: make(chan struct{})}
	if len(items) == 0 {
		return j.out, nil
	}
	// A key that does not expand verifies nothing: every record is then
	// refused for its signature, as crypto/ed25519 would refuse it.
	j.key, _ = NewDeviceKey(dev.PublicKey)
	q.start.Do(func() {
		for range q.workers {
			go q.work()
		}
	})
	j.left.Store(int64(len(items)))
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.mu.Unlock()
	q.ready.Signal()
	select {
	case <-j.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("sync: %w", ctx.Err())
	}
	if j.err != nil {
		return nil, j.err
	}
	return j.out, nil
}

// work opens records, the oldest request's first, for as long as the
// process runs; it waits while the queue is empty.
func (q *queue) work() {
	for {
		q.mu.Lock()
		for len(q.jobs) == 0 {
			q.ready.Wait()
		}
		j := q.jobs[0]
		if j.ctx.Err() != nil {
			// Its request has ended and returned: none of it is opened.
			q.jobs[0] = nil
			q.jobs = q.jobs[1:]
			q.mu.Unlock()
			continue
		}
		i := j.next
		j.next++
		if q.took != nil {
			q.took(j.items[i])
		}
		if j.next == len(j.items) {
			q.jobs[0] = nil
			q.jobs = q.jobs[1:]
		} else {
			// More of this request is left: another idle worker may take
			// some of it.
			q.ready.Signal()
		}
		q.mu.Unlock()
		j.open(i)
	}
}

// open opens the job's record i, unless the request has ended.
func (j *openJob) open(i int) {
	defer func() {
		if j.left.Add(-1) == 0 {
			close(j.done)
		}
	}()
	if err := j.ctx.Err(); err != nil {
		j.fail(fmt.Errorf("sync: %w", err))
		return
	}
	defer func() {
		// open must not panic on any input (it is fuzzed); if it ever
		// does, this request fails, not the server.
		if p := recover(); p != nil {
			j.fail(fmt.Errorf("sync: opening a record failed: %v", p))
		}
	}()
	o, res := open(j.keys, j.dev, j.key, j.items[i])
	j.out[i] = openResult{o, res}
}

func (j *openJob) fail(err error) {
	j.errMu.Lock()
	defer j.errMu.Unlock()
	if j.err == nil {
		j.err = err
	}
}
