package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/seal"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
	"beredskap/internal/wire"
)

// TestNodeKilledMidSync: two server nodes over one PostgreSQL behind a
// load balancer, five phones pushing records. Node A is SIGKILLed while
// syncs are in flight on it: one sync half sent to it, one whose records
// it has committed and whose answer has not reached the phone, and
// whatever else is under way. The phones' requests that die with it are
// retried and go to node B; A is started again on the same database and
// takes traffic again; then B is killed the same way and restarted. The
// phones finish. Afterwards every record a phone sent is stored exactly
// once, nothing acknowledged is missing, each record of an answer that
// died with its node was sent again and answered duplicate, the audit
// chain verifies (the audit verify command too), a second push of
// everything is answered duplicate only, the desks find no device
// numbering a record twice or skipping one, and both restarted nodes'
// desks give the same dashboard, which counts what the database holds.
// A request fails only on a node killed under it.
//
// Nothing waits for a time to pass: each kill comes when the phones have
// got so far and the balancer has the two syncs on the node, and the
// phones may run ahead of the test only so far (a gate on the records
// accepted), so that the second kill and both restarts still find them
// pushing on a fast machine or a busy one.
func TestNodeKilledMidSync(t *testing.T) {
	const perDevice = 1200
	users := []string{"anna", "nils", "ole", "sara", "per"}
	total := perDevice * len(users)
	// The phones may get this many records past each step of the test
	// before they wait for the next (a step: a kill, a restart): enough
	// for the step, little enough that four steps leave records to push.
	const stage = 800
	ctx := context.Background()
	began := time.Now()

	pg, err := pgtest.Start(pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	if err := pg.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
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
	storeURL := pg.URL("beredskap")
	nodes := []*server{
		startServer(t, "--store", storeURL, "--encryption-key-file", keyFile),
		startServer(t, "--store", storeURL, "--encryption-key-file", keyFile),
	}
	waitReady(t, nodes, http.StatusOK)

	// What the phones hear, and how far they may go (the gate).
	var (
		mu        sync.Mutex
		gate      = sync.NewCond(&mu)
		allowance = 2 * stage
		accepted  int
		statuses  = map[int]int{}
		wrong     []string // answers a phone must never get
		killedAt  time.Time
		resumedAt time.Time // the first sync answered 200 that was sent after the last kill
	)
	allow := func(n int) {
		mu.Lock()
		allowance = n
		gate.Broadcast()
		mu.Unlock()
	}
	progress := func() int {
		mu.Lock()
		defer mu.Unlock()
		return accepted
	}
	observe := func(sent time.Time, resp *http.Response, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		statuses[resp.StatusCode]++
		switch resp.StatusCode {
		case http.StatusOK:
			var sr wire.SyncResponse
			if err := json.Unmarshal(body, &sr); err != nil {
				wrong = append(wrong, fmt.Sprintf("200 that does not decode: %v", err))
			}
			for _, r := range sr.Results {
				if r.Status == wire.SyncAccepted {
					accepted++
				}
			}
			if !killedAt.IsZero() && sent.After(killedAt) && resumedAt.IsZero() {
				resumedAt = time.Now()
			}
		case http.StatusBadGateway:
			// The balancer's answer for a request a node died under.
		default:
			wrong = append(wrong, fmt.Sprintf("%d: %s", resp.StatusCode, body))
		}
		// The phone's next request waits while the test is behind.
		for accepted >= allowance {
			gate.Wait()
		}
	}
	var devices []*device
	sent := map[string]map[string]wire.SealedRecord{} // every record of every device
	for i, u := range users {
		d := setupDevice(t, nodes[i%len(nodes)], u, perDevice)
		d.observe = observe
		sent[d.id] = maps.Clone(d.pending)
		devices = append(devices, d)
	}
	lb := newBalancer(t, nodes...)
	t.Cleanup(func() { allow(math.MaxInt) }) // no phone left waiting at a failure

	start := time.Now()
	p := pushAll(t, devices, lb.url(), start.Add(3*time.Minute))
	// until waits for cond, checked every few milliseconds; the phones
	// finishing first, or a minute (a hang, not a slow machine), fails
	// the test.
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			select {
			case <-p.done:
				t.Fatalf("the phones finished before %s", what)
			case <-time.After(2 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after a minute", what)
			}
		}
	}

	type killFigures struct {
		node             string
		atKill, inFlight int
		failed           int
		resume, restart  time.Duration // SIGKILL to the first sync answered; restart to ready
		backAt           int           // records accepted when the node was back
	}
	var kills []killFigures
	var heldIDs []string // the records of the answers held at the kills: stored, and the phone never heard
	kill := func(i int) {
		t.Helper()
		be := lb.backends[i]
		name := string(rune('A' + i))
		tr := be.arm()
		until("a sync half sent to node "+name+" and one answered by it and held", tr.ready)
		f := killFigures{node: name}
		mu.Lock()
		f.atKill = accepted
		allowance = accepted + stage
		gate.Broadcast()
		mu.Unlock()
		be.killing.Add(1)
		f.inFlight = int(be.inflight.Load())
		be.node.stop() // SIGKILL, and waits for the process to be gone
		be.killed.Add(1)
		mu.Lock()
		killedAt, resumedAt = time.Now(), time.Time{}
		mu.Unlock()
		be.disarm(tr)
		heldIDs = append(heldIDs, tr.heldIDs...)
		// The phones go on through the other node.
		until("a sync answered after the kill of node "+name, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return !resumedAt.IsZero() && accepted >= f.atKill+stage/4
		})
		mu.Lock()
		f.resume = resumedAt.Sub(killedAt)
		mu.Unlock()
		// Started again on the same database; the balancer sends it
		// phones once its /readyz says so.
		restarted := time.Now()
		be.node.start()
		until("node "+name+" ready again at the balancer", be.up.Load)
		f.restart = time.Since(restarted)
		f.backAt = progress()
		servedBefore := be.served.Load()
		allow(f.backAt + stage)
		until("a sync answered by node "+name+" after its restart", func() bool { return be.served.Load() > servedBefore })
		f.failed = lb.failedOn(i, be.killed.Load())
		kills = append(kills, f)
	}
	// Node A dies once some records are acknowledged, B once A is back
	// and answering.
	until(fmt.Sprintf("%d records accepted", stage/4), func() bool { return progress() >= stage/4 })
	kill(0)
	kill(1)
	allow(math.MaxInt)
	for _, err := range p.wait() {
		t.Error(err)
	}
	elapsed := time.Since(start)
	waitReady(t, nodes, http.StatusOK)

	mu.Lock()
	served, bad := statuses[http.StatusOK], statuses[http.StatusBadGateway]
	// Requests a phone gave up on itself (its client's time limit, on a
	// busy machine): no answer to count, retried as the others.
	gaveUp := int(p.attempts.Load())
	for _, n := range statuses {
		gaveUp -= n
	}
	for _, w := range wrong {
		t.Errorf("a phone got %s", w)
	}
	mu.Unlock()
	for _, f := range lb.unexpected() {
		t.Errorf("a request failed on a node that was not killed under it: %s", f)
	}

	// Device state: everything sent again, through the balancer to both
	// nodes, is a duplicate.
	firstAcked := map[string]map[string]string{}
	for _, d := range devices {
		firstAcked[d.id] = d.acked
		d.pending, d.acked, d.observe = maps.Clone(sent[d.id]), map[string]string{}, nil
	}
	servedBefore := []int64{lb.backends[0].served.Load(), lb.backends[1].served.Load()}
	repush := pushAll(t, devices, lb.url(), time.Now().Add(time.Minute))
	for _, err := range repush.wait() {
		t.Error(err)
	}
	notDuplicate := 0
	for _, d := range devices {
		for id, status := range d.acked {
			if status != wire.SyncDuplicate {
				notDuplicate++
				t.Errorf("device %s: record %s sent again is %s, want duplicate", d.id, id, status)
			}
		}
		if len(d.acked) != perDevice {
			t.Errorf("device %s: %d answers to sending everything again, want %d", d.id, len(d.acked), perDevice)
		}
		d.acked = firstAcked[d.id]
	}
	for i, be := range lb.backends {
		if be.served.Load() == servedBefore[i] {
			t.Errorf("node %c answered none of the second push", 'A'+i)
		}
	}

	// Both restarted desks tell the same. Some findings follow the clock
	// (a dose whose window has passed), so B is asked between two
	// questions to A: when A's answers agree, no such finding came or
	// went meanwhile and B must give the same; when they differ, a
	// minute turned, and the three are asked again.
	admin := loginToken(t, nodes[0], "admin")
	q := url.Values{"since": {time.Now().Add(-72 * time.Hour).UTC().Format(time.RFC3339)},
		"until": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}
	same := func(x, y wire.Dashboard) bool {
		return x.Records == y.Records && maps.Equal(x.States, y.States) && maps.Equal(x.Types, y.Types) &&
			maps.Equal(x.Findings, y.Findings) && x.Open == y.Open
	}
	var a, b wire.Dashboard
	for try := 0; ; try++ {
		var a2 wire.Dashboard
		deskGet(t, nodes[0], admin, "/api/v1/dashboard?"+q.Encode(), &a)
		deskGet(t, nodes[1], admin, "/api/v1/dashboard?"+q.Encode(), &b)
		deskGet(t, nodes[0], admin, "/api/v1/dashboard?"+q.Encode(), &a2)
		if same(a, a2) {
			break
		}
		if try == 3 {
			t.Fatalf("node A's desk changes from one question to the next:\n%+v\n%+v", a, a2)
		}
	}
	if !same(a, b) {
		t.Errorf("the two desks differ:\nA %+v\nB %+v", a, b)
	}
	for _, kind := range []string{wire.FindingDuplicateSeq, wire.FindingSequenceGap} {
		if a.Findings[kind] != 0 {
			t.Errorf("the desk finds %d %s: a device's sequence is not what it sent", a.Findings[kind], kind)
		}
	}
	for _, n := range nodes {
		n.stop()
	}

	out, err := exec.Command(serverBinary(t), "audit", "verify", "--store", storeURL, "--encryption-key-file", keyFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") {
		t.Errorf("beredskap audit verify --store: %v\n%s", err, out)
	}
	db, err := postgres.Open(ctx, storeURL, postgres.Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := checkDelivered(t, db, devices, perDevice)
	stored, err := db.CountRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.Records != stored {
		t.Errorf("the desks count %d records, the database holds %d", a.Records, stored)
	}
	// Records committed by a request whose answer the phone never got
	// were answered duplicate when it sent them again: the held answers'
	// at least.
	retriedStored := 0
	for _, d := range devices {
		for _, status := range d.acked {
			if status == wire.SyncDuplicate {
				retriedStored++
			}
		}
	}
	var report []string
	for _, f := range kills {
		report = append(report, fmt.Sprintf("node %s SIGKILLed at %d records accepted with %d syncs in flight on it, %d requests failed with it "+
			"(answered 502 by the balancer, retried), the phones' first sync answered %v after the kill, the node ready %v after its restart (at %d records), then answering syncs again",
			f.node, f.atKill, f.inFlight, f.failed, f.resume.Round(time.Millisecond), f.restart.Round(time.Millisecond), f.backAt))
	}
	t.Logf("records %d, acked %d (%d of them answered duplicate: stored by a request whose answer was lost), stored %d, lost %d, duplicated %d; "+
		"requests %d (%d answered 200, %d answered 502 by the balancer, %d given up by the phone); %d kills: %s; everything sent again: %d requests, %d records, all duplicate but %d; "+
		"desks: A %d records, B %d records, findings %v; audit entries %d (audit verify: %s); phones pushing %v, the whole test %v",
		total, got.acked, retriedStored, got.stored, got.lost, got.duplicated, p.attempts.Load(), served, bad, gaveUp,
		len(kills), strings.Join(report, "; "), repush.attempts.Load(), total, notDuplicate, a.Records, b.Records, a.Findings,
		got.auditEntries, strings.TrimSpace(string(out)), elapsed.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	got.mustBeExact(t, total)
	// Each record of a held answer was stored, the phone never heard
	// it, sent it again and was told duplicate.
	final := map[string]string{}
	for _, d := range devices {
		maps.Copy(final, d.acked)
	}
	if len(heldIDs) == 0 {
		t.Error("no records in the answers held at the kills")
	}
	for _, id := range heldIDs {
		if final[id] != wire.SyncDuplicate {
			t.Errorf("record %s, stored by a sync whose answer died with its node, was last answered %q, want duplicate", id, final[id])
		}
	}
	for _, f := range kills {
		// The two syncs the balancer held on the node at least.
		if f.failed < 2 {
			t.Errorf("node %s: %d requests failed with it, want the two held on it at least", f.node, f.failed)
		}
	}
}

// balancer is an HTTP load balancer in front of the nodes, as the
// reference deployment has one: round-robin over the nodes whose /readyz
// answers 200; a request whose connection a node refuses goes to the
// next one (nothing reached the dead node); a request a node dies under
// is answered 502 Bad Gateway, as a proxy answers, which the phone takes
// for "offline" and retries.
//
// A node's trap (arm) holds two syncs on it for a kill: one half sent
// (the node is reading it), one the node has answered 200 (its records
// are committed) whose answer the balancer keeps; both fail when the
// trap is released, after the kill.
type balancer struct {
	srv       *httptest.Server
	backends  []*backend
	next      atomic.Int64
	transport *http.Transport
	stop      chan struct{}

	mu       sync.Mutex
	failures []lbFailure
}

type backend struct {
	node *server
	up   atomic.Bool
	// Kills begun (raised just before a SIGKILL) and done (raised once
	// the process is gone): a request sent before kill k was done that
	// fails once it has begun died with the node.
	killing, killed atomic.Int64
	inflight        atomic.Int64 // requests sent to it and not yet answered
	served          atomic.Int64 // syncs it answered 200 that the balancer passed on
	trap            atomic.Pointer[trap]
}

// lbFailure is a request that failed on a node: the node's kills done
// when the request was sent, and begun when it failed.
type lbFailure struct {
	node          int
	sent, failed  int64
	method, path  string
	err           string
	trapped, held bool
	at            time.Time
}

func (f lbFailure) String() string {
	return fmt.Sprintf("node %c (kills done %d when sent, begun %d when it failed) at %s %s %s (half sent by the trap %v, answer held %v): %s",
		'A'+f.node, f.sent, f.failed, f.at.Format("15:04:05.000"), f.method, f.path, f.trapped, f.held, f.err)
}

type trap struct {
	half, held     atomic.Bool   // taken
	halfSent, kept chan struct{} // closed once taken
	heldIDs        []string      // the records of the held answer, set before kept is closed
	release        chan struct{}
}

func (tr *trap) ready() bool {
	select {
	case <-tr.halfSent:
	default:
		return false
	}
	select {
	case <-tr.kept:
		return true
	default:
		return false
	}
}

func (be *backend) arm() *trap {
	tr := &trap{halfSent: make(chan struct{}), kept: make(chan struct{}), release: make(chan struct{})}
	be.trap.Store(tr)
	return tr
}

func (be *backend) disarm(tr *trap) {
	be.trap.CompareAndSwap(tr, nil)
	close(tr.release)
}

func newBalancer(t *testing.T, nodes ...*server) *balancer {
	t.Helper()
	lb := &balancer{
		// A connection of its own for every request, as the phones make
		// theirs: a request is either refused at connect or reached the
		// node.
		transport: &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext},
		stop:      make(chan struct{}),
	}
	for _, n := range nodes {
		be := &backend{node: n}
		be.up.Store(true)
		lb.backends = append(lb.backends, be)
	}
	lb.srv = httptest.NewServer(lb)
	go lb.check()
	t.Cleanup(func() {
		// Held requests first: Close waits for every handler.
		for _, be := range lb.backends {
			if tr := be.trap.Load(); tr != nil {
				be.disarm(tr)
			}
		}
		close(lb.stop)
		lb.srv.Close()
	})
	return lb
}

func (lb *balancer) url() string { return lb.srv.URL }

// check asks every node's /readyz every 20 ms, as a load balancer's
// health check does.
func (lb *balancer) check() {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		for _, be := range lb.backends {
			resp, err := client.Get(be.node.url("/readyz"))
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			be.up.Store(ok)
		}
		select {
		case <-lb.stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (lb *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	first := int(lb.next.Add(1))
	for k := range lb.backends {
		i := (first + k) % len(lb.backends)
		be := lb.backends[i]
		if !be.up.Load() {
			continue
		}
		if lb.forward(w, r, body, i) {
			return
		}
		be.up.Store(false) // refused: down until its health check passes
	}
	http.Error(w, "no node is ready", http.StatusServiceUnavailable)
}

// forward sends the request to node i and passes its answer on, or
// answers 502 when the node fails under it. It returns false, having
// answered nothing, when the node refused the connection.
func (lb *balancer) forward(w http.ResponseWriter, r *http.Request, body []byte, i int) bool {
	be := lb.backends[i]
	sync := r.Method == http.MethodPost && r.URL.Path == "/api/v1/sync"
	tr := be.trap.Load()
	var in io.Reader = bytes.NewReader(body)
	trapped := false
	if sync && tr != nil && tr.half.CompareAndSwap(false, true) {
		trapped = true
		in = &stallReader{rest: body[:len(body)/2], sent: tr.halfSent, release: tr.release}
	}
	// The request to the node goes on when the phone gives up on it (its
	// client's time limit), so that every failure counted here is the
	// node's.
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, be.node.url(r.URL.RequestURI()), in)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return true
	}
	req.Header = r.Header.Clone()
	req.ContentLength = int64(len(body))
	killed := be.killed.Load()
	be.inflight.Add(1)
	defer be.inflight.Add(-1)
	fail := func(err error, held bool) bool {
		lb.mu.Lock()
		lb.failures = append(lb.failures, lbFailure{node: i, sent: killed, failed: be.killing.Load(), method: r.Method, path: r.URL.Path,
			err: err.Error(), trapped: trapped, held: held, at: time.Now()})
		lb.mu.Unlock()
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return true
	}
	resp, err := lb.transport.RoundTrip(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" && !trapped {
			return false
		}
		return fail(err, false)
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fail(err, false)
	}
	if sync && resp.StatusCode == http.StatusOK && !trapped && tr != nil && tr.held.CompareAndSwap(false, true) {
		// The node has committed these records and answered; the answer
		// goes down with it.
		var sr wire.SyncResponse
		if json.Unmarshal(answer, &sr) == nil {
			for _, res := range sr.Results {
				tr.heldIDs = append(tr.heldIDs, res.ID)
			}
		}
		close(tr.kept)
		<-tr.release
		return fail(errors.New("answer held until the node was killed"), true)
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
	if sync && resp.StatusCode == http.StatusOK {
		be.served.Add(1)
	}
	return true
}

// failedOn counts the requests that failed on node i with its k-th kill
// (sent before the kill was done, failed once it had begun).
func (lb *balancer) failedOn(i int, k int64) int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := 0
	for _, f := range lb.failures {
		if f.node == i && f.sent == k-1 && f.failed >= k {
			n++
		}
	}
	return n
}

// unexpected returns the failures that no kill explains: a node failing
// a request it was not killed under.
func (lb *balancer) unexpected() []lbFailure {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	var out []lbFailure
	for _, f := range lb.failures {
		if f.failed == f.sent {
			out = append(out, f)
		}
	}
	return out
}

// stallReader gives the first half of a request body and then waits for
// release (after the kill, or when the test ends): the node has the
// request's start and waits for the rest.
type stallReader struct {
	rest    []byte
	sent    chan struct{}
	once    sync.Once
	release <-chan struct{}
}

func (s *stallReader) Read(p []byte) (int, error) {
	if len(s.rest) > 0 {
		n := copy(p, s.rest)
		s.rest = s.rest[n:]
		return n, nil
	}
	s.once.Do(func() { close(s.sent) })
	<-s.release
	return 0, errors.New("the rest of the request never came")
}
