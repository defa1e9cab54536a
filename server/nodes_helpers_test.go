package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"beredskap/internal/demo"
	"beredskap/internal/kept"
	"beredskap/internal/keys"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
	"beredskap/internal/wire"
)

// Two server nodes over one PostgreSQL database, as two serve processes
// behind a load balancer: each opens its own store (its own pool), takes
// the server's keys from the database, keeps its own desk that follows
// the change feed, counts login attempts in the database, and serves
// HTTP on its own httptest server. The tests speak to them only through
// the wire protocol (DESIGN §5).

// nodesKey is the encryption key both nodes share (--encryption-key-file).
var nodesKey = bytes.Repeat([]byte{0x5a}, 32)

// twoNodes is a deployment of two nodes, A and B, on one database.
type twoNodes struct {
	t    *testing.T
	url  string
	A, B *testEnv
	// raw are the nodes' own stores, A's then B's.
	raw [2]*postgres.DB
}

// node is one started node.
type node struct {
	raw  *postgres.DB
	keys *keys.Keys
	srv  *Server
	stop func() // ends the desk's Run and waits for it
}

// newTwoNodes starts A and B at the same moment on a new database, as
// serve does: open (the migration runs once), the keys from the vault,
// the demo municipality loaded once under the store's lock. mutate
// changes both nodes' Config.
func newTwoNodes(t *testing.T, mutate ...func(*Config)) *twoNodes {
	t.Helper()
	url := pgtest.NewDatabase(t)
	loc := servertest.Oslo(t)
	now := time.Now()
	var nodes [2]*node
	var errs [2]error
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = startNode(url, loc, now, mutate)
		}()
	}
	wg.Wait()
	for _, n := range nodes {
		if n != nil {
			// Registered first, so run last: the store closes after the
			// HTTP server and the desk have stopped.
			t.Cleanup(func() { n.raw.Close() })
			t.Cleanup(n.stop)
		}
	}
	if err := errors.Join(errs[0], errs[1]); err != nil {
		t.Fatalf("start two nodes: %v", err)
	}
	if nodes[0].keys.KeyID() != nodes[1].keys.KeyID() {
		t.Fatalf("the nodes hold different server keys: %s and %s", nodes[0].keys.KeyID(), nodes[1].keys.KeyID())
	}
	tn := &twoNodes{t: t, url: url, raw: [2]*postgres.DB{nodes[0].raw, nodes[1].raw}}
	envs := [2]*testEnv{}
	for i, n := range nodes {
		hs := httptest.NewServer(n.srv.Handler())
		t.Cleanup(hs.Close)
		envs[i] = &testEnv{t: t, keys: n.keys, srv: n.srv, http: hs, loc: loc, now: now}
	}
	tn.A, tn.B = envs[0], envs[1]
	return tn
}

func startNode(url string, loc *time.Location, now time.Time, mutate []func(*Config)) (*node, error) {
	ctx := context.Background()
	raw, err := postgres.Open(ctx, url, postgres.Options{EncryptionKey: nodesKey})
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	k, err := keys.FromVault(ctx, raw, nodesKey)
	if err != nil {
		raw.Close()
		return nil, err
	}
	cfg := Config{OfflineFor: 8 * time.Hour, Location: loc, Hasher: servertest.Hasher(), LoginThrottle: raw}
	for _, m := range mutate {
		m(&cfg)
	}
	desk := kept.New(raw, kept.Options{OfflineFor: cfg.OfflineFor, Now: cfg.Now})
	db := desk.Watch(raw)
	deskCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); desk.Run(deskCtx, 15*time.Second) }()
	stop := func() { cancel(); <-done }
	// Of the nodes starting on one empty database, one loads the demo
	// municipality; the other finds it there (serve's oneAtATime).
	err = raw.Exclusive(ctx, "demo", func(ctx context.Context) error {
		demoMode, err := demo.Initialize(ctx, db, true)
		if err != nil || !demoMode {
			return err
		}
		return demo.Seed(ctx, db, cfg.Hasher, now, loc)
	})
	if err != nil {
		stop()
		raw.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	cfg.Desk = desk
	return &node{raw: raw, keys: k, srv: New(cfg, db, k, nil), stop: stop}, nil
}

// both is A and B in turn, named.
func (n *twoNodes) both() []struct {
	name string
	e    *testEnv
} {
	return []struct {
		name string
		e    *testEnv
	}{{"A", n.A}, {"B", n.B}}
}

// on returns a copy of the phone that speaks to node e: the same session,
// device, key and bundle, its sequence numbers shared with the original.
func (p *phoneKit) on(e *testEnv) *phoneKit {
	return &phoneKit{e: e, login: p.login, deviceID: p.deviceID, key: p.key, bundle: p.bundle, seq: p.seq}
}

// answer is one HTTP answer.
type answer struct {
	status int
	raw    []byte
	err    error
}

// post sends a JSON body to url without failing the test (for calls made
// from several goroutines at once).
func post(client *http.Client, url, token string, body any) answer {
	b, err := json.Marshal(body)
	if err != nil {
		return answer{err: err}
	}
	req, err := http.NewRequest("POST", url, bytes.NewReader(b))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return answer{status: resp.StatusCode, raw: buf.Bytes(), err: err}
}

// atOnce runs the calls at the same moment (released together) and
// returns their answers in order.
func atOnce(calls ...func() answer) []answer {
	out := make([]answer, len(calls))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i, call := range calls {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			out[i] = call()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

// eventually polls check until it returns nil or the deadline passes,
// then fails with its last error. The desks follow each other's writes
// through the change feed: what one node wrote reaches the other's desk
// soon, not at once.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// auditChain reads the whole audit log through node e as the admin, in
// pages from the first entry.
func auditChain(t *testing.T, e *testEnv, token string) []wire.AuditEntry {
	t.Helper()
	var all []wire.AuditEntry
	for from := uint64(1); ; {
		var ar wire.AuditResponse
		if code, raw := e.call("GET", fmt.Sprintf("/api/v1/audit?from=%d&limit=1000", from), token, nil, &ar); code != 200 {
			t.Fatalf("audit from %d: %d %s", from, code, raw)
		}
		all = append(all, ar.Entries...)
		if len(ar.Entries) == 0 || ar.Entries[len(ar.Entries)-1].Seq >= ar.Head {
			return all
		}
		from = ar.Entries[len(ar.Entries)-1].Seq + 1
	}
}

// checkAudit reads the audit log through both nodes and checks that it
// is one linear chain, the same on both: sequence numbers 1, 2, 3, ...,
// each entry carrying the hash of the one before and its own hash as
// store.HashAuditEntry computes it (what `beredskap audit verify`
// checks), with at least want entries of each action given. It also runs
// the store's own VerifyAudit on a third handle, as the command does.
func (n *twoNodes) checkAudit(want map[string]int) {
	t := n.t
	t.Helper()
	adminA, adminB := n.A.login("admin").Token, n.B.login("admin").Token
	chains := [2][]wire.AuditEntry{auditChain(t, n.A, adminA), auditChain(t, n.B, adminB)}
	// The admin logins above were appended between the two reads: B's
	// read is A's and more.
	a, b := chains[0], chains[1]
	if len(b) < len(a) {
		t.Fatalf("B reads %d audit entries, fewer than A's %d", len(b), len(a))
	}
	prev := ""
	count := map[string]int{}
	for i, e := range b {
		if e.Seq != uint64(i+1) {
			t.Fatalf("entry %d has seq %d: the chain is not linear", i+1, e.Seq)
		}
		if e.Prev != prev {
			t.Fatalf("entry %d: prev %q, want the hash before it %q", e.Seq, e.Prev, prev)
		}
		got := store.HashAuditEntry(store.AuditEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action,
			Subject: e.Subject, Detail: e.Detail, Prev: e.Prev})
		if got != e.Hash {
			t.Fatalf("entry %d (%s): hash %s, recomputed %s", e.Seq, e.Action, e.Hash, got)
		}
		if i < len(a) && !sameEntry(a[i], e) {
			t.Fatalf("entry %d reads differently on A and B:\n%+v\n%+v", e.Seq, a[i], e)
		}
		prev = e.Hash
		count[e.Action]++
	}
	for action, least := range want {
		if count[action] < least {
			t.Errorf("%d %q entries in the chain, want at least %d (all: %v)", count[action], action, least, count)
		}
	}
	third, err := postgres.Open(context.Background(), n.url, postgres.Options{EncryptionKey: nodesKey})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if v, err := third.VerifyAudit(context.Background()); err != nil || v < uint64(len(b)) {
		t.Fatalf("audit verify: %d entries, %v; the nodes read %d", v, err, len(b))
	}
}

func sameEntry(a, b wire.AuditEntry) bool {
	at, bt := a.Time, b.Time
	a.Time, b.Time = time.Time{}, time.Time{}
	return a == b && at.Equal(bt)
}
