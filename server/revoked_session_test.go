package server

import (
	"sync"
	"testing"
	"time"

	"beredskap/internal/wire"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRevokedDeviceSessionEnds: a revoked phone's session may sync (and
// is told to wipe) and log out, nothing else. A phone whose wipe answer
// was lost may send again and is told again; a phone that wiped logs out,
// which ends the session; a phone that never comes back loses the session
// once the offline validity has passed since the revocation.
func TestRevokedDeviceSessionEnds(t *testing.T) {
	clock := &testClock{t: time.Now()}
	e := newEnv(t, func(c *Config) { c.Now = clock.Now })
	ctx := t.Context()

	t.Run("at the offline validity after revocation", func(t *testing.T) {
		nils := e.phone("nils")
		revoked := clock.Now()
		if _, err := e.db.RevokeDevice(ctx, nils.deviceID, "admin", revoked); err != nil {
			t.Fatal(err)
		}
		r := nils.sealRecord(nils.note(nils.ownPatient(), "before the phone was lost"))
		for _, after := range []time.Duration{0, time.Hour, 8*time.Hour - time.Minute} {
			clock.Set(revoked.Add(after))
			code, resp, raw := nils.sync(r)
			if code != 200 || !resp.Wipe {
				t.Fatalf("sync %v after revocation: %d %s", after, code, raw)
			}
		}
		if code, raw := e.call("GET", "/api/v1/bundle", nils.login.Token, nil, nil); code != 403 || errorCode(t, raw) != wire.CodeDeviceRevoked {
			t.Fatalf("bundle on a revoked phone: %d %s", code, raw)
		}
		clock.Add(time.Minute)
		code, _, raw := nils.sync(r)
		if code != 401 || errorCode(t, raw) != wire.CodeUnauthorized {
			t.Fatalf("sync at the offline validity after revocation: %d %s", code, raw)
		}
		if ss, err := e.db.UserSessions(ctx, nils.login.User.ID); err != nil || len(ss) != 0 {
			t.Fatalf("sessions left: %v %v", ss, err)
		}
	})

	t.Run("when the phone has wiped and logs out", func(t *testing.T) {
		clock.Add(time.Hour)
		anna := e.phone("anna")
		if _, err := e.db.RevokeDevice(ctx, anna.deviceID, "admin", clock.Now()); err != nil {
			t.Fatal(err)
		}
		r := anna.sealRecord(anna.note(anna.ownPatient(), "the last note"))
		// The first answer is lost on the way: the phone sends again and
		// is told again.
		for range 2 {
			if code, resp, raw := anna.sync(r); code != 200 || !resp.Wipe {
				t.Fatalf("sync: %d %s", code, raw)
			}
		}
		if code, raw := e.call("DELETE", "/api/v1/session", anna.login.Token, nil, nil); code != 200 {
			t.Fatalf("logout after the wipe: %d %s", code, raw)
		}
		if code, _, _ := anna.sync(r); code != 401 {
			t.Fatalf("sync after the phone's logout: %d", code)
		}
	})
}
