package auth

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"
)

// memThrottle is a shared store's throttle in memory: the same bucket
// arithmetic, one map for every server that is given it.
type memThrottle struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	fail    error
}

func (m *memThrottle) TakeAttempt(_ context.Context, name, key string, burst int, every time.Duration, now time.Time) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, 0, m.fail
	}
	l := &Limiter{every: every, burst: burst, keys: m.buckets, maxKeys: 1 << 30}
	b := l.bucket(name+"\x00"+key, now)
	if b.tokens < 1 {
		return false, l.wait(b), nil
	}
	b.tokens--
	return true, 0, nil
}

func (m *memThrottle) RefundAttempt(_ context.Context, name, key string, burst int, every time.Duration, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := &Limiter{every: every, burst: burst, keys: m.buckets, maxKeys: 1 << 30}
	b := l.bucket(name+"\x00"+key, now)
	b.tokens = min(b.tokens+1, float64(burst))
	return nil
}

// TestSharedLoginLimits: two servers whose limits live in one shared
// store count a guesser's attempts together, so spreading them over the
// servers gains nothing; the right password gives its attempt back on
// both; a store that cannot be asked refuses the attempt.
func TestSharedLoginLimits(t *testing.T) {
	shared := &memThrottle{buckets: map[string]*bucket{}}
	p := DefaultLoginPolicy()
	servers := [2]*LoginLimits{NewSharedLoginLimits(p, shared, nil), NewSharedLoginLimits(p, shared, nil)}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	// A guesser at one address alternates servers: PairBurst failures in
	// all, not PairBurst on each.
	for i := range p.PairBurst {
		a, _ := servers[i%2].Take("kari", "10.0.0.9", now)
		if a == nil {
			t.Fatalf("guess %d refused within the burst", i)
		}
		a.Done(true)
	}
	for _, s := range servers {
		if a, wait := s.Take("kari", "10.0.0.9", now); a != nil || wait <= 0 {
			t.Fatal("a guess past the burst got through on a server the others did not count on")
		}
	}
	// Another address is not held back by that pair; its right password
	// gives its attempts back.
	a, _ := servers[0].Take("kari", "10.0.0.10", now)
	if a == nil {
		t.Fatal("another address was refused")
	}
	a.Done(false)
	if n := shared.buckets["pair\x00kari\x0010.0.0.10"].tokens; n != float64(p.PairBurst) {
		t.Fatalf("the pair's bucket after a good login holds %v of %d", n, p.PairBurst)
	}
	// The store down: refused, with a wait.
	shared.fail = errors.New("no primary")
	if a, wait := servers[1].Take("anna", "10.0.0.11", now); a != nil || wait <= 0 {
		t.Fatal("a login was let through without being counted")
	}
}

// TestSharedCleanPass: once the account's limit is used up, an address
// gets one checked guess for every server together, not one on each; a
// clean address's right password passes on either server and keeps the
// address clean; while one server checks a clean address's attempt, the
// other does not let a second one through.
func TestSharedCleanPass(t *testing.T) {
	shared := &memThrottle{buckets: map[string]*bucket{}}
	p := DefaultLoginPolicy()
	servers := [2]*LoginLimits{NewSharedLoginLimits(p, shared, nil), NewSharedLoginLimits(p, shared, nil)}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for i := range p.AccountBurst {
		a, _ := servers[i%2].Take("kari", "10.0.1."+strconv.Itoa(i), now)
		if a == nil {
			t.Fatalf("guess %d refused within the account's burst", i)
		}
		a.Done(true)
	}
	a, _ := servers[0].Take("kari", "10.0.2.1", now)
	if a == nil || !a.viaClean {
		t.Fatal("a new address's first guess was not checked")
	}
	a.Done(true)
	if a, _ := servers[1].Take("kari", "10.0.2.1", now); a != nil {
		t.Fatal("the address that failed on one server was clean on the other")
	}
	for i, s := range servers {
		a, _ := s.Take("kari", "10.0.2.2", now)
		if a == nil {
			t.Fatalf("a clean address refused on server %d", i)
		}
		if b, _ := servers[1-i].Take("kari", "10.0.2.2", now); b != nil {
			t.Fatalf("a second attempt of a clean address on server %d while server %d checks one", 1-i, i)
		}
		a.Done(false)
	}
}
