package shift

import (
	"context"
	"time"
)

// Watch probes the server until ctx ends: every interval, and at once when
// wake fires (the browser's "online" event is only a hint). When the phone
// comes back online, back is called: that is when to look for a new app
// version, refresh the shift and sync. Any request may be the first to
// find the network back (a sync retrying often beats the probe); that
// wakes the watch too, and back is called once for the return, whoever
// saw it.
func (s *Syncer) Watch(ctx context.Context, interval time.Duration, wake <-chan struct{}, back func()) {
	for {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.api.Health(c)
		cancel()
		if ctx.Err() != nil {
			return
		}
		s.observe(err)
		if s.takeCameBack() {
			select {
			case <-s.backWake: // this return is the one being handled
			default:
			}
			if back != nil {
				back()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-s.backWake:
		case <-time.After(interval):
		}
	}
}
