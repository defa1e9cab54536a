package vault

import (
	"context"
	"errors"
	"sync"
)

// ErrInjected is the failure a Faulty store reports.
var ErrInjected = errors.New("vault: injected storage failure")

// Faulty wraps a Store and fails the Nth write (Commit or Clear, counted
// together from 1 since the last FailAt), without writing anything, as a
// browser does when it aborts a transaction. Tests use it to show that
// every step of a change survives a storage failure the way the network's
// failures are survived: nothing said "saved" is lost, nothing is sent
// twice. Reads always pass.
type Faulty struct {
	Store

	mu     sync.Mutex
	failAt int // 0: none
	writes int
	failed int
}

// NewFaulty wraps s; it fails nothing until FailAt is called.
func NewFaulty(s Store) *Faulty { return &Faulty{Store: s} }

// FailAt restarts the count and makes the nth write from now fail; 0
// fails none (and only counts).
func (f *Faulty) FailAt(n int) {
	f.mu.Lock()
	f.failAt, f.writes, f.failed = n, 0, 0
	f.mu.Unlock()
}

// Writes is how many writes were asked for since the last FailAt,
// the failed one included.
func (f *Faulty) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// Failed reports whether the write chosen by FailAt has been failed.
func (f *Faulty) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed > 0
}

// hit counts a write and reports whether it is the one to fail.
func (f *Faulty) hit() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.writes == f.failAt {
		f.failed++
		return true
	}
	return false
}

// Commit implements Store.
func (f *Faulty) Commit(ctx context.Context, writes ...Write) error {
	if f.hit() {
		return ErrInjected
	}
	return f.Store.Commit(ctx, writes...)
}

// Clear implements Store.
func (f *Faulty) Clear(ctx context.Context, buckets ...string) error {
	if f.hit() {
		return ErrInjected
	}
	return f.Store.Clear(ctx, buckets...)
}
