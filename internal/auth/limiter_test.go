package auth

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiterTakeConcurrent(t *testing.T) {
	cases := []struct {
		name    string
		burst   int
		callers int
	}{
		{"account limit", 5, 100},
		{"address limit", 30, 200},
		{"fewer callers than the limit", 5, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := NewLimiter(c.burst, time.Minute)
			now := time.Unix(1_000_000, 0)
			var taken, refused atomic.Int32
			var start, done sync.WaitGroup
			start.Add(1)
			for i := 0; i < c.callers; i++ {
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					if ok, wait := l.Take("anna", now); ok {
						taken.Add(1)
					} else if wait <= 0 || wait > time.Minute {
						t.Errorf("refused with wait %v", wait)
					} else {
						refused.Add(1)
					}
				}()
			}
			start.Done()
			done.Wait()
			want := int32(min(c.burst, c.callers))
			if taken.Load() != want || refused.Load() != int32(c.callers)-want {
				t.Fatalf("%d callers, limit %d: %d taken, %d refused", c.callers, c.burst, taken.Load(), refused.Load())
			}
		})
	}
}

func TestLimiterRefund(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1_000_000, 0)

	// Right passwords give their attempt back: any number of them in a
	// row leave the count alone.
	for i := 0; i < 10; i++ {
		if ok, _ := l.Take("anna", now); !ok {
			t.Fatalf("successful login %d refused", i+1)
		}
		l.Refund("anna", now)
	}
	// Wrong ones stay spent; the fourth is refused, right password or not.
	for i := 0; i < 3; i++ {
		if ok, _ := l.Take("anna", now); !ok {
			t.Fatalf("failure %d refused", i+1)
		}
	}
	if ok, _ := l.Take("anna", now); ok {
		t.Fatal("a fourth attempt after three failures was allowed")
	}
	if blocked, _ := l.Blocked("anna", now); !blocked {
		t.Fatal("Blocked disagrees with Take")
	}
	// A refund never raises a key above its limit.
	l.Refund("nils", now)
	l.Take("nils", now)
	l.Refund("nils", now)
	l.Refund("nils", now)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Take("nils", now); !ok {
			t.Fatalf("take %d refused", i+1)
		}
	}
	if ok, _ := l.Take("nils", now); ok {
		t.Fatal("refunds raised the limit")
	}
	// Attempts come back one per interval.
	if ok, _ := l.Take("anna", now.Add(61*time.Second)); !ok {
		t.Fatal("still refused after the refill interval")
	}
	if ok, _ := l.Take("anna", now.Add(62*time.Second)); ok {
		t.Fatal("one interval gave back more than one attempt")
	}
	// A clock read before the last Take must not give anything back.
	if ok, _ := l.Take("anna", now); ok {
		t.Fatal("an earlier time refilled the key")
	}
}
