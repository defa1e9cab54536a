package shift

import (
	"context"
	"log"
	"time"

	"beredskap/app/vault"
)

// clock is the phone's idea of the time, made hard to turn back: the
// effective time is the latest of the wall clock, the highest time the
// phone has seen (persisted), and a baseline plus the monotonic time
// elapsed since the page started. Setting the phone's clock back neither
// stretches the shift's validity nor goes unnoticed.
type clock struct {
	highWater time.Time // highest effective time seen, persisted
	baseWall  time.Time // effective time at baseMono
	baseMono  time.Time // a reading with the monotonic clock
	lastWall  time.Time // last wall reading, to notice jumps back
}

// clockRecord is the persisted part of the clock.
type clockRecord struct {
	HighWater time.Time `json:"high_water"`
}

// clockSlack is how far the wall clock may step back (a network time
// correction) before it counts as turned back.
const clockSlack = 2 * time.Minute

func (c *clock) start(now, highWater time.Time) {
	wall := now.Round(0)
	c.highWater = highWater
	c.baseMono = now
	c.baseWall = later(wall, highWater)
	c.lastWall = wall
}

// effective returns the effective time at now.
func (c *clock) effective(now time.Time) time.Time {
	eff := later(now.Round(0), c.highWater)
	if !c.baseMono.IsZero() {
		eff = later(eff, c.baseWall.Add(now.Sub(c.baseMono)))
	}
	return eff
}

// raise makes the effective time at least t from now on: a bundle's issue
// time comes from the server's clock, which the phone cannot turn back.
func (c *clock) raise(t, now time.Time) {
	c.baseWall = later(c.effective(now), t)
	c.baseMono = now
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// EffectiveNow is the phone's tamper-resistant time.
func (s *Clock) EffectiveNow() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock.effective(s.now())
}

// TimeLeft is how long the stored shift can still be used offline.
func (s *Clock) TimeLeft() time.Duration {
	exp := s.kr.ExpiresAt()
	if exp.IsZero() {
		return 0
	}
	return exp.Sub(s.EffectiveNow())
}

// Touch records that the user did something, which postpones the idle
// lock.
func (s *Clock) Touch() {
	s.mu.Lock()
	s.lastActive = s.now()
	s.mu.Unlock()
}

// Lock reasons shown on the unlock page.
const (
	LockIdle   = "idle"
	LockButton = "button"
	LockClock  = "clock"
)

// Run calls Tick every interval until ctx ends, and refreshes the shift
// from the server every refreshEvery while unlocked and online.
func (s *Clock) Run(ctx context.Context, interval time.Duration) {
	const refreshEvery = 10 * time.Minute
	lastRefresh := s.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
		if err := s.Tick(ctx); err != nil {
			log.Printf("beredskap: %v", err)
		}
		online, _ := s.sy.Online()
		if online && s.sh.Phase() == PhaseUnlocked && s.now().Sub(lastRefresh) >= refreshEvery {
			lastRefresh = s.now()
			if err := s.kr.Refresh(ctx); err != nil {
				log.Printf("beredskap: refresh: %v", err)
			}
		}
	}
}

// Tick is called every few seconds: it persists the clock's high-water
// mark, wipes an expired shift, and locks after idle minutes or when the
// wall clock was turned back.
func (s *Clock) Tick(ctx context.Context) error {
	now := s.now()
	wall := now.Round(0)
	s.mu.Lock()
	if !s.loaded {
		s.mu.Unlock()
		return nil
	}
	turnedBack := wall.Before(s.clock.lastWall.Add(-clockSlack))
	s.clock.lastWall = wall
	eff := s.clock.effective(now)
	persist := eff.Sub(s.clock.highWater) >= 10*time.Second
	if eff.After(s.clock.highWater) {
		s.clock.highWater = eff
	}
	// The stored owner's expiry is what a locked phone has; once unlocked,
	// the signed bundle's counts too, so an edited store cannot stretch a
	// shift that is open.
	expired := (s.owner != nil && !eff.Before(s.owner.ExpiresAt)) ||
		(s.bundle != nil && !eff.Before(s.bundle.ExpiresAt))
	unlocked := s.key != nil
	idle := false
	if unlocked && s.owner != nil {
		limit := time.Duration(s.owner.IdleLockMinutes) * time.Minute
		if limit <= 0 {
			limit = 5 * time.Minute
		}
		idle = now.Sub(s.lastActive) >= limit
	}
	s.mu.Unlock()

	if persist {
		w, err := putJSON(vault.Meta, metaClock, clockRecord{HighWater: eff})
		if err == nil {
			err = s.vault.Commit(ctx, w)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case expired:
		return s.kr.Wipe(ctx, WipeExpired)
	case unlocked && turnedBack:
		s.kr.Lock(LockClock)
	case idle:
		s.kr.Lock(LockIdle)
	}
	return nil
}

// Wall is the phone's wall clock (Options.Now), for what a form shows as
// the time now; EffectiveNow is the time that counts.
func (s *Clock) Wall() time.Time { return s.now() }
