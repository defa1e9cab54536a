package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
)

// Logins through an identity provider (store.LoginFlows).

func loginFlow(id string, expires time.Time) store.LoginFlow {
	return store.LoginFlow{ID: id, Kind: store.FlowStarted, Provider: "helseid", Target: "phone",
		Verifier: "v-" + id, Nonce: "n-" + id, Challenge: "c-" + id, Created: expires.Add(-10 * time.Minute), Expires: expires}
}

// testLoginFlows: a step is taken once, with what was stored; an id is
// stored once; an expired step is not given; the steps survive a reopen
// (a node that restarts between start and callback).
func testLoginFlows(t *testing.T, open func() store.Store) {
	db := open()
	now := time.Now()
	if err := db.PutLoginFlow(ctx, loginFlow("f1", now.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := db.PutLoginFlow(ctx, loginFlow("f1", now.Add(5*time.Minute))); !errors.Is(err, store.ErrLoginFlowExists) {
		t.Fatalf("the same id again: %v, want ErrLoginFlowExists", err)
	}
	if err := db.PutLoginFlow(ctx, loginFlow("f2", now.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := db.PutLoginFlow(ctx, loginFlow("past", now.Add(-time.Second))); err == nil {
		t.Fatal("a step that expired already was stored")
	}
	closeStore(t, db)
	db = use(t, open)
	f, err := db.TakeLoginFlow(ctx, "f1", now)
	want := loginFlow("f1", now.Add(10*time.Minute))
	if err != nil || f.ID != "f1" || f.Kind != want.Kind || f.Provider != want.Provider || f.Target != want.Target ||
		f.Verifier != want.Verifier || f.Nonce != want.Nonce || f.Challenge != want.Challenge || !f.Expires.Equal(want.Expires) {
		t.Fatalf("taken: %+v, %v; want %+v", f, err, want)
	}
	_, err = db.TakeLoginFlow(ctx, "f1", now)
	notFound(t, "taken twice", err, "")
	_, err = db.TakeLoginFlow(ctx, "nope", now)
	notFound(t, "unknown", err, "")
	// A step past its expiry is not given, and is gone.
	_, err = db.TakeLoginFlow(ctx, "f2", now.Add(11*time.Minute))
	notFound(t, "expired", err, "")
	_, err = db.TakeLoginFlow(ctx, "f2", now)
	notFound(t, "expired, then taken in time", err, "")
}

// testLoginFlowTakeRace: of many takers of one step at once, exactly one
// gets it (a callback replayed on two nodes at the same moment).
func testLoginFlowTakeRace(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Now()
	const takers = 8
	for round := range 5 {
		id := "race-" + string(rune('a'+round))
		if err := db.PutLoginFlow(ctx, loginFlow(id, now.Add(10*time.Minute))); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got, missed := 0, 0
		for range takers {
			wg.Go(func() {
				_, err := db.TakeLoginFlow(ctx, id, now)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					got++
				case errors.Is(err, store.ErrNotFound):
					missed++
				default:
					t.Errorf("take: %v", err)
				}
			})
		}
		wg.Wait()
		if got != 1 || missed != takers-1 {
			t.Fatalf("round %d: %d takers got the step, %d did not; want 1 and %d", round, got, missed, takers-1)
		}
	}
}

// testIdentityLinks: an identity links to one user; linking it to
// another is refused; the links are listed per user, survive a reopen,
// and are removed.
func testIdentityLinks(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	links := []store.IdentityLink{
		{Provider: "idporten", Subject: "12345678901", UserID: "u1", By: "admin", Created: t0},
		{Provider: "helseid", Subject: "9144889", UserID: "u1", By: "admin", Created: t0},
		{Provider: "helseid", Subject: "9144890", UserID: "u2", By: "admin", Created: t0},
	}
	for _, l := range links {
		if err := db.PutIdentityLink(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutIdentityLink(ctx, store.IdentityLink{Provider: "helseid", Subject: "9144889", UserID: "u2", By: "admin"}); !errors.Is(err, store.ErrIdentityLinked) {
		t.Fatalf("linking u1's identity to u2: %v, want ErrIdentityLinked", err)
	}
	// The same user again replaces the link (who linked it, when).
	again := links[1]
	again.By = "admin2"
	if err := db.PutIdentityLink(ctx, again); err != nil {
		t.Fatal(err)
	}
	closeStore(t, db)
	db = use(t, open)
	l, err := db.IdentityLink(ctx, "helseid", "9144889")
	if err != nil || l.UserID != "u1" || l.By != "admin2" || l.Provider != "helseid" || l.Subject != "9144889" {
		t.Fatalf("link: %+v, %v", l, err)
	}
	_, err = db.IdentityLink(ctx, "idporten", "9144889")
	notFound(t, "same subject at another provider", err, "")
	u1, err := db.IdentityLinks(ctx, "u1")
	if err != nil || len(u1) != 2 || u1[0].Provider != "helseid" || u1[1].Provider != "idporten" {
		t.Fatalf("u1's links: %+v, %v", u1, err)
	}
	if err := db.DeleteIdentityLink(ctx, "helseid", "9144889"); err != nil {
		t.Fatal(err)
	}
	notFound(t, "unlink twice", db.DeleteIdentityLink(ctx, "helseid", "9144889"), "")
	_, err = db.IdentityLink(ctx, "helseid", "9144889")
	notFound(t, "unlinked", err, "")
	if u1, err := db.IdentityLinks(ctx, "u1"); err != nil || len(u1) != 1 || u1[0].Subject != "12345678901" {
		t.Fatalf("u1's links after unlinking: %+v, %v", u1, err)
	}
	// Once unlinked, the identity may go to another user.
	if err := db.PutIdentityLink(ctx, store.IdentityLink{Provider: "helseid", Subject: "9144889", UserID: "u2", By: "admin"}); err != nil {
		t.Fatal(err)
	}
	if u2, err := db.IdentityLinks(ctx, "u2"); err != nil || len(u2) != 2 {
		t.Fatalf("u2's links: %+v, %v", u2, err)
	}
}
