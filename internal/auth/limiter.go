package auth

import (
	"sync"
	"time"
)

// Limiter counts login attempts per key (an account, an address) and says
// when a key has failed too often. Each key has a bucket of burst tokens,
// refilled one per every.
//
// A login takes a token before the password is checked and gives it back
// when the password was right, so only failures stay spent and a user who
// types the right password is never slowed down by their own success.
// Taking before checking matters: checking a password is slow and queued,
// and a check-then-count limiter would let every guess sent at once
// through before the first failure was counted.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	keys    map[string]*bucket
	lastGC  time.Time
	maxKeys int
}

// bucket is one key's tokens as of at; a key without a bucket is full.
type bucket struct {
	tokens float64
	at     time.Time
	seen   time.Time
}

// NewLimiter allows burst failures per key, refilled one per every.
func NewLimiter(burst int, every time.Duration) *Limiter {
	return &Limiter{every: every, burst: burst, keys: map[string]*bucket{}, maxKeys: 100_000}
}

// Take spends one attempt for key if one is left and reports whether it
// did; when none is left it reports how long until the next one. Checking
// and spending happen together, so concurrent callers can never spend more
// than the key has.
func (l *Limiter) Take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	b := l.bucket(key, now)
	if b.tokens < 1 {
		return false, l.wait(b)
	}
	b.tokens--
	return true, 0
}

// Refund gives back an attempt taken with Take whose login turned out not
// to be a failure.
func (l *Limiter) Refund(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[key]
	if !ok {
		// Forgotten as full: there is nothing to give back.
		return
	}
	l.refill(b, now)
	b.tokens = min(b.tokens+1, float64(l.burst))
	b.seen = later(b.seen, now)
}

// Blocked reports whether key has no attempts left right now, and when
// the next attempt will be allowed. It spends nothing.
func (l *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[key]
	if !ok {
		return false, 0
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		return false, 0
	}
	return true, l.wait(b)
}

// Fail spends one attempt for key, if one is left.
func (l *Limiter) Fail(key string, now time.Time) {
	l.Take(key, now)
}

// bucket returns key's bucket brought up to now, making a full one for a
// key not seen before. l.mu must be held.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	b, ok := l.keys[key]
	if !ok {
		b = &bucket{tokens: float64(l.burst), at: now}
		l.keys[key] = b
	}
	l.refill(b, now)
	b.seen = later(b.seen, now)
	return b
}

// refill adds the tokens earned since b was last brought up to date.
// Callers read the clock before waiting for the lock, so now may be a
// little earlier than b.at; then nothing is added and nothing goes back.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if !now.After(b.at) {
		return
	}
	earned := float64(now.Sub(b.at)) / float64(l.every)
	b.tokens = min(b.tokens+earned, float64(l.burst))
	b.at = now
}

// wait is how long until b has a whole token again.
func (l *Limiter) wait(b *bucket) time.Duration {
	return time.Duration((1 - b.tokens) * float64(l.every))
}

// gc forgets keys that have refilled completely, so that the map does not
// grow with every address that ever failed once.
func (l *Limiter) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute && len(l.keys) < l.maxKeys {
		return
	}
	l.lastGC = now
	full := l.every * time.Duration(l.burst)
	for k, b := range l.keys {
		if now.Sub(b.seen) > full {
			delete(l.keys, k)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
