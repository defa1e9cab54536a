package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// unreachableStore answers account lookups with ErrUnavailable while
// down is set, as the PostgreSQL store does while a failover has no
// primary: the session's row was read a moment before, the account's
// is not.
type unreachableStore struct {
	store.Store
	down atomic.Bool
}

func (u *unreachableStore) Account(ctx context.Context, id string) (store.Account, error) {
	if u.down.Load() {
		return store.Account{}, fmt.Errorf("account %s: %w: failed to connect", id, store.ErrUnavailable)
	}
	return u.Store.Account(ctx, id)
}

// TestUnavailableStoreIsNotLoggedOut: a store that does not answer while
// a request is authenticated is a 503 unavailable with Retry-After, which
// the phone tries again, never a 401, which would stop the phone's sync
// until its user logs in again. (It was a 401.)
func TestUnavailableStoreIsNotLoggedOut(t *testing.T) {
	d := servertest.New(t)
	us := &unreachableStore{Store: d.DB}
	srv := New(Config{OfflineFor: 8 * time.Hour, Location: d.Loc, Hasher: d.Hasher}, us, d.Keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	token := loginOn(t, hs, "kari")

	us.down.Store(true)
	req, _ := http.NewRequest("GET", hs.URL+"/api/v1/routines", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var eb wire.ErrorBody
	if json.Unmarshal(body, &eb) != nil || resp.StatusCode != http.StatusServiceUnavailable || eb.Error.Code != wire.CodeUnavailable ||
		eb.Error.Key != keyUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a store without a primary: %d %s (Retry-After %q)", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}

	us.down.Store(false)
	req, _ = http.NewRequest("GET", hs.URL+"/api/v1/routines", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err = hs.Client().Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the same session once the store answers again: %d", resp.StatusCode)
	}
}
