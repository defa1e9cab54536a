package e2e

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/seal"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
	"beredskap/internal/wire"
)

// TestFailover is the failover drill: a PostgreSQL primary with a
// synchronous standby (a commit returns only once the standby has it),
// two server nodes on a URL naming both (target_session_attrs=read-write
// finds the primary), five phones pushing 10,000 records through a proxy
// that spreads them over both nodes and drops, delays and cuts
// connections. Mid-stream the primary is SIGKILLed; once both nodes say
// they are not ready, the standby is promoted; the nodes find it by
// themselves and the phones finish. While no primary is there every
// answer a phone gets is a 503 unavailable with Retry-After, never a 500
// or a 401 (which would stop a phone's sync). Afterwards, on the promoted
// database, every acknowledged record is stored exactly once, nothing
// acknowledged is missing and the audit chain verifies.
func TestFailover(t *testing.T) {
	const perDevice = 2000
	users := []string{"anna", "nils", "ole", "sara", "per"}
	total := perDevice * len(users)
	ctx := context.Background()

	primary, err := pgtest.Start(pgtest.Config{Settings: map[string]string{
		"synchronous_standby_names": "standby1", "synchronous_commit": "on"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err := primary.StartStandby("standby1", pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })
	waitSynchronous(t, primary, "standby1")
	// Created once the standby is there: until then a commit waits for it.
	if err := primary.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
		t.Fatal(err)
	}

	keyFile := filepath.Join(t.TempDir(), "store.key")
	key, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/beredskap?sslmode=disable&target_session_attrs=read-write&connect_timeout=5",
		primary.Port, standby.Port)
	nodes := []*server{
		startServer(t, "--store", url, "--encryption-key-file", keyFile),
		startServer(t, "--store", url, "--encryption-key-file", keyFile),
	}
	waitReady(t, nodes, http.StatusOK)

	// What the phones hear, from whichever node answered.
	var (
		mu          sync.Mutex
		statuses    = map[int]int{}
		wrong       []string // answers a phone must never get
		killedAt    time.Time
		firstWrite  time.Time // the first sync answered 200 that was sent after the kill
		acceptedNow atomic.Int64
	)
	observe := func(sent time.Time, resp *http.Response, body []byte) {
		var sr wire.SyncResponse
		var eb wire.ErrorBody
		mu.Lock()
		defer mu.Unlock()
		statuses[resp.StatusCode]++
		switch resp.StatusCode {
		case http.StatusOK:
			if json.Unmarshal(body, &sr) == nil {
				for _, r := range sr.Results {
					if r.Status == wire.SyncAccepted {
						acceptedNow.Add(1)
					}
				}
			}
			if !killedAt.IsZero() && sent.After(killedAt) && firstWrite.IsZero() {
				firstWrite = time.Now()
			}
		case http.StatusServiceUnavailable:
			if json.Unmarshal(body, &eb) != nil || eb.Error.Code != wire.CodeUnavailable || resp.Header.Get("Retry-After") == "" {
				wrong = append(wrong, fmt.Sprintf("503 with Retry-After %q: %s", resp.Header.Get("Retry-After"), body))
			}
		default:
			wrong = append(wrong, fmt.Sprintf("%d: %s", resp.StatusCode, body))
		}
	}
	var devices []*device
	for i, u := range users {
		d := setupDevice(t, nodes[i%len(nodes)], u, perDevice)
		d.observe = observe
		devices = append(devices, d)
	}
	proxy := newFaultyProxy(t, nodes[0].addr, nodes[1].addr)
	proxyURL := "http://" + proxy.ln.Addr().String()

	start := time.Now()
	p := pushAll(t, devices, proxyURL, start.Add(3*time.Minute))
	done := p.done

	// Mid-stream: the primary dies at 40 % of the records.
	for acceptedNow.Load() < int64(total)*2/5 {
		select {
		case <-done:
			t.Fatalf("the phones finished before the primary was killed")
		case <-time.After(5 * time.Millisecond):
		}
	}
	primary.Kill()
	mu.Lock()
	killedAt = time.Now()
	mu.Unlock()
	atKill := acceptedNow.Load()
	// Promotion waits until both nodes say they are not ready, as a load
	// balancer would see them; the phones keep pushing meanwhile.
	for i, body := range waitReady(t, nodes, http.StatusServiceUnavailable) {
		var eb wire.ErrorBody
		if json.Unmarshal([]byte(body), &eb) != nil || eb.Error.Code != wire.CodeUnavailable {
			t.Errorf("node %d with no primary: /readyz %s, want the code unavailable", i, body)
		}
	}
	notReady := time.Since(killedAt)
	// A phone's read (its shift bundle) is told the same: try again.
	for i, n := range nodes {
		req, _ := http.NewRequest("GET", n.url("/api/v1/bundle"), nil)
		req.Header.Set("Authorization", "Bearer "+devices[0].token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var eb wire.ErrorBody
		if json.Unmarshal(body, &eb) != nil || resp.StatusCode != http.StatusServiceUnavailable || eb.Error.Code != wire.CodeUnavailable ||
			resp.Header.Get("Retry-After") == "" {
			t.Errorf("node %d with no primary: GET /api/v1/bundle %d %s, want 503 unavailable with Retry-After", i, resp.StatusCode, body)
		}
	}
	if err := standby.Promote(); err != nil {
		t.Fatal(err)
	}
	promoted := time.Since(killedAt)

	for _, err := range p.wait() {
		t.Error(err)
	}
	elapsed := time.Since(start)
	// Neither node stays broken: both take writes again.
	waitReady(t, nodes, http.StatusOK)
	for _, n := range nodes {
		n.stop()
	}

	mu.Lock()
	failover := firstWrite.Sub(killedAt)
	served, unavailable := statuses[http.StatusOK], statuses[http.StatusServiceUnavailable]
	mu.Unlock()
	for _, w := range wrong {
		t.Errorf("a phone got %s", w)
	}

	db, err := postgres.Open(ctx, standby.URL("beredskap"), postgres.Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := checkDelivered(t, db, devices, perDevice)
	t.Logf("records %d, acked %d, stored %d, lost %d, duplicated %d; requests %d (%d answered 200, %d answered 503 unavailable, %d other); "+
		"faults: %d dropped, %d delayed, %d answers cut after commit, the primary SIGKILLed at %d records accepted; "+
		"failover %v (SIGKILL to the first sync answered; both nodes not ready after %v, the standby promoted after %v); audit entries %d; %v",
		total, got.acked, got.stored, got.lost, got.duplicated, p.attempts.Load(), served, unavailable, len(wrong),
		proxy.dropped.Load(), proxy.delayed.Load(), proxy.cut.Load(), atKill,
		failover.Round(time.Millisecond), notReady.Round(time.Millisecond), promoted.Round(time.Millisecond), got.auditEntries, elapsed.Round(time.Millisecond))
	got.mustBeExact(t, total)
	if firstWrite.IsZero() || unavailable == 0 {
		t.Fatalf("the failover was not seen: first write after the kill %v, %d answers 503", firstWrite, unavailable)
	}
	if proxy.cut.Load() == 0 || proxy.dropped.Load() == 0 {
		t.Fatalf("too few faults to prove anything: %d cut, %d dropped", proxy.cut.Load(), proxy.dropped.Load())
	}
}

// waitSynchronous waits until the primary streams to the standby named
// name synchronously.
func waitSynchronous(t *testing.T, primary *pgtest.Cluster, name string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		conn, err := pgx.Connect(ctx, primary.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		var state string
		err = conn.QueryRow(ctx, "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", name).Scan(&state)
		conn.Close(ctx)
		if err == nil && state == "sync" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby %s does not replicate synchronously: %q, %v", name, state, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitReady waits until every node's /readyz answers status (a minute at
// most: longer is a hung node, not a slow one) and returns the answers.
func waitReady(t *testing.T, nodes []*server, status int) []string {
	t.Helper()
	var bodies []string
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for _, n := range nodes {
		for {
			got, body := 0, ""
			resp, err := client.Get(n.url("/readyz"))
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got, body = resp.StatusCode, string(b)
			}
			if got == status {
				bodies = append(bodies, body)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s: /readyz %d %s (%v), want %d", n.addr, got, body, err, status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return bodies
}
