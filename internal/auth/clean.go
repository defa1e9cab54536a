package auth

import (
	"slices"
	"sync"
	"time"
)

// CleanPairs remembers which (account, address) pairs failed a login
// recently. A pair without a failure within the window is clean: its
// attempt may pass an account limit that other addresses used up, so that
// guessing from elsewhere cannot lock a user out. Claiming is exclusive:
// while one attempt from a clean pair is being checked, the pair counts as
// dirty, so parallel guesses from one address get one pass between them.
type CleanPairs struct {
	window time.Duration

	mu      sync.Mutex
	failed  map[string]time.Time
	claimed map[string]bool
	lastGC  time.Time
	maxKeys int
}

// NewCleanPairs makes a pair dirty for window after each failure.
func NewCleanPairs(window time.Duration) *CleanPairs {
	return &CleanPairs{window: window, failed: map[string]time.Time{}, claimed: map[string]bool{}, maxKeys: 200_000}
}

// Claim reports whether key is clean and, if it is, holds it until Fail
// or Release.
func (c *CleanPairs) Claim(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gc(now)
	if c.claimed[key] {
		return false
	}
	if at, ok := c.failed[key]; ok && now.Sub(at) < c.window {
		return false
	}
	c.claimed[key] = true
	return true
}

// Release ends a claim whose attempt was not a failure; the pair stays
// clean.
func (c *CleanPairs) Release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.claimed, key)
}

// Fail records a failure for key (claimed or not) and ends its claim.
func (c *CleanPairs) Fail(key string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.claimed, key)
	c.gc(now)
	if at, ok := c.failed[key]; !ok || now.After(at) {
		c.failed[key] = now
	}
}

// gc forgets failures older than the window, and when guessing at many
// names from many addresses has filled the map even so, the older half
// of what is left: those pairs count as clean again, which costs a
// guesser's slowdown a little, where an unbounded map would cost the
// server its memory. c.mu must be held.
func (c *CleanPairs) gc(now time.Time) {
	if now.Sub(c.lastGC) < time.Minute && len(c.failed) < c.maxKeys {
		return
	}
	c.lastGC = now
	for k, at := range c.failed {
		if now.Sub(at) >= c.window {
			delete(c.failed, k)
		}
	}
	if len(c.failed) < c.maxKeys {
		return
	}
	times := make([]time.Time, 0, len(c.failed))
	for _, at := range c.failed {
		times = append(times, at)
	}
	slices.SortFunc(times, time.Time.Compare)
	cut := times[len(times)/2]
	for k, at := range c.failed {
		if at.Before(cut) {
			delete(c.failed, k)
		}
	}
}
