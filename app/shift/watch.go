package shift

import (
	"context"
	"time"
)

// Watch probes the server until ctx ends: every interval, and at once when
// wake fires (the browser's "online" event is only a hint). When the phone
// comes back online, back is called: that is when to look for a new app
// version, refresh the shift and sync.
func (s *Syncer) Watch(ctx context.Context, interval time.Duration, wake <-chan struct{}, back func()) {
	for {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.api.Health(c)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if s.observe(err) && back != nil {
			back()
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(interval):
		}
	}
}
