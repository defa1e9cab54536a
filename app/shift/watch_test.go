package shift

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"beredskap/internal/wire"
)

// A sync that finds the network back before the watch's probe does still
// gets the shift refreshed at once: the watch wakes and calls back, once
// for that return; a probe that finds the phone still online calls it no
// more. (Before, only the probe's own finding counted, and a phone whose
// sync saw the return first waited for the ten-minute refresh.)
func TestWatchActsOnAReturnASyncSawFirst(t *testing.T) {
	var down atomic.Bool
	var probes atomic.Int64
	fake, _ := newFakeSync(t, func(int, wire.SyncRequest) wire.Code { return "" })
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			// What a dead network looks like to the phone: no answer.
			hj, ok := w.(http.Hijacker)
			if ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
			return
		}
		if r.URL.Path == "/healthz" {
			probes.Add(1)
			w.WriteHeader(http.StatusOK)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)

	dev := uuid.NewString()
	s := syncShift(hs.URL, dev)
	down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var backs atomic.Int64
	wake := make(chan struct{})
	go s.Syncer().Watch(ctx, 1<<62, wake, func() { backs.Add(1) })
	// The first probe finds no server.
	waitFor(t, func() bool { online, known := s.Syncer().Online(); return known && !online })

	down.Store(false)
	queue(t, s, dev, 1)
	if err := s.Syncer().SyncNow(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	waitFor(t, func() bool { return backs.Load() == 1 })

	// A probe that finds the phone online, as it was, is no return.
	before := probes.Load()
	wake <- struct{}{}
	waitFor(t, func() bool { return probes.Load() > before })
	wake <- struct{}{} // taken only once the probe above has been acted on
	if n := backs.Load(); n != 1 {
		t.Fatalf("back called %d times, want once", n)
	}
}
