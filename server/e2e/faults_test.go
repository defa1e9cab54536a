package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// faultyProxy forwards TCP connections to the server (to several, in
// turn, as a load balancer would) and, at random, drops them, delays
// them, or cuts the answer short after the request went through (the
// server committed, the client never hears it).
type faultyProxy struct {
	ln      net.Listener
	targets []string
	next    atomic.Int64
	rnd     *rand.Rand
	mu      sync.Mutex
	dropped atomic.Int64
	delayed atomic.Int64
	cut     atomic.Int64
	passed  atomic.Int64
}

func newFaultyProxy(t *testing.T, targets ...string) *faultyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultyProxy{ln: ln, targets: targets, rnd: rand.New(rand.NewPCG(1, 2))}
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *faultyProxy) roll() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.Float64()
}

func (p *faultyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *faultyProxy) handle(client net.Conn) {
	defer client.Close()
	r := p.roll()
	switch {
	case r < 0.10:
		p.dropped.Add(1)
		return
	case r < 0.20:
		p.delayed.Add(1)
		time.Sleep(time.Duration(50+p.roll()*400) * time.Millisecond)
	}
	target := p.targets[int(p.next.Add(1))%len(p.targets)]
	server, err := net.DialTimeout("tcp", target, 2*time.Second)
	if err != nil {
		return // the server is down: the client sees a dropped connection
	}
	defer server.Close()
	cut := r >= 0.20 && r < 0.32
	go func() { _, _ = io.Copy(server, client) }()
	if cut {
		p.cut.Add(1)
		// Let the answer start, then cut it: the records are stored but
		// the phone does not know.
		buf := make([]byte, 1+int(p.roll()*64))
		_, _ = io.ReadFull(server, buf)
		return
	}
	p.passed.Add(1)
	_, _ = io.Copy(client, server)
}

// device is a simulated phone with records to deliver.
type device struct {
	id      string
	userID  string
	sealKey []byte
	token   string
	key     ed25519.PrivateKey
	pending map[string]wire.SealedRecord
	acked   map[string]string
	// observe, when set, sees every answer the device reads in full: when
	// its request was sent, its status and header, and its body.
	observe func(sent time.Time, resp *http.Response, body []byte)
}

// setupDevice logs a demo user in directly (no faults), registers a
// device, fetches a bundle and writes n notes for the user's own patients.
func setupDevice(t *testing.T, srv *server, username string, n int) *device {
	t.Helper()
	call := func(method, path, token string, in, out any) {
		var body io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			body = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.url(path), body)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var lr wire.LoginResponse
	call("POST", "/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"}, &lr)
	pub, priv, _ := seal.NewSigningKey()
	var dr wire.DeviceResponse
	call("POST", "/api/v1/devices", lr.Token, wire.DeviceRequest{PublicKey: pub, Label: "fault test"}, &dr)
	var br wire.BundleResponse
	call("GET", "/api/v1/bundle", lr.Token, nil, &br)
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, v := range b.Visits {
		if b.Own(v) {
			own = append(own, v.PatientID)
		}
	}
	d := &device{id: dr.DeviceID, userID: lr.User.ID, sealKey: lr.SealKey, token: lr.Token, key: priv, pending: map[string]wire.SealedRecord{}, acked: map[string]string{}}
	for i := 1; i <= n; i++ {
		r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: d.id, AuthorID: lr.User.ID,
			PatientID: own[i%len(own)], CreatedAt: time.Now().UTC(), Seq: uint64(i), Text: fmt.Sprintf("note %d of %s", i, username)}
		body, _ := json.Marshal(r)
		sealed, err := seal.SealRecord(body, priv, lr.SealKey)
		if err != nil {
			t.Fatal(err)
		}
		d.pending[r.ID] = wire.SealedRecord{ID: r.ID, Sealed: sealed}
	}
	return d
}

// push sends the device's pending records through the proxy until each has
// an answer, retrying every failure.
func (d *device) push(t *testing.T, url string, deadline time.Time, attempts *atomic.Int64) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for len(d.pending) > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("device %s: %d records without an answer at the deadline", d.id, len(d.pending))
		}
		req := d.syncRequest(url)
		attempts.Add(1)
		sent := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && d.observe != nil {
			d.observe(sent, resp, body)
		}
		var sr wire.SyncResponse
		if err == nil {
			err = json.Unmarshal(body, &sr)
		}
		if err != nil || resp.StatusCode != 200 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, res := range sr.Results {
			switch res.Status {
			case wire.SyncAccepted, wire.SyncDuplicate:
				d.acked[res.ID] = res.Status
				delete(d.pending, res.ID)
			default:
				return fmt.Errorf("record %s: %s %s %s", res.ID, res.Status, res.Code, res.Message)
			}
		}
	}
	return nil
}

// TestSyncUnderFaults pushes 10,000 records from five devices through a
// proxy that drops, delays and cuts connections, while the server process
// is killed and restarted; afterwards every record is stored exactly once
// and every device holds an answer for every record.
func TestSyncUnderFaults(t *testing.T) {
	const perDevice = 2000
	users := []string{"anna", "nils", "ole", "sara", "per"}
	srv := startServer(t)
	var devices []*device
	for _, u := range users {
		devices = append(devices, setupDevice(t, srv, u, perDevice))
	}
	total := perDevice * len(users)
	proxy := newFaultyProxy(t, srv.addr)
	url := "http://" + proxy.ln.Addr().String()

	start := time.Now()
	p := pushAll(t, devices, url, start.Add(4*time.Minute))
	// Kill the server again and again while the devices push.
	kills := p.killServer(srv, 200*time.Millisecond, 400*time.Millisecond, 100*time.Millisecond)
	for _, err := range p.wait() {
		t.Error(err)
	}
	elapsed := time.Since(start)
	srv.stop()

	db, err := badger.Open(filepath.Join(srv.dataDir, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := checkDelivered(t, db, devices, perDevice)
	t.Logf("records %d, acked %d, stored %d, lost %d, duplicated %d; requests %d; faults: %d dropped, %d delayed, %d answers cut after commit, %d server kills; audit entries %d; %v",
		total, got.acked, got.stored, got.lost, got.duplicated, p.attempts.Load(), proxy.dropped.Load(), proxy.delayed.Load(), proxy.cut.Load(), kills, got.auditEntries, elapsed.Round(time.Millisecond))
	got.mustBeExact(t, total)
	if kills < 3 || proxy.cut.Load() == 0 || proxy.dropped.Load() == 0 {
		t.Fatalf("too few faults to prove anything: %d kills, %d cut, %d dropped", kills, proxy.cut.Load(), proxy.dropped.Load())
	}
}

// pushing is devices pushing all their records at once, each on a
// goroutine of its own, until they are done or the deadline passes.
type pushing struct {
	attempts atomic.Int64  // sync requests sent, by all the devices
	done     chan struct{} // closed when every device has finished
	errs     chan error
}

// pushAll starts every device pushing to url.
func pushAll(t *testing.T, devices []*device, url string, deadline time.Time) *pushing {
	p := &pushing{done: make(chan struct{}), errs: make(chan error, len(devices))}
	var wg sync.WaitGroup
	for _, d := range devices {
		wg.Add(1)
		go func(d *device) {
			defer wg.Done()
			if err := d.push(t, url, deadline, &p.attempts); err != nil {
				p.errs <- err
			}
		}(d)
	}
	go func() { wg.Wait(); close(p.done) }()
	return p
}

// wait returns the devices' errors once every one has finished.
func (p *pushing) wait() []error {
	<-p.done
	close(p.errs)
	var out []error
	for err := range p.errs {
		out = append(out, err)
	}
	return out
}

// killServer stops srv after a random wait of at least every and less
// than every+spread, keeps it down for down and starts it again, over and
// over until the devices have finished; it returns how many times.
func (p *pushing) killServer(srv *server, every, spread, down time.Duration) int {
	kills := 0
	for {
		select {
		case <-p.done:
			return kills
		case <-time.After(every + rand.N(spread)):
		}
		srv.stop()
		kills++
		time.Sleep(down)
		srv.start()
	}
}

// syncRequest is the device's next sync request: up to 40 of its pending
// records, as the phone sends them.
func (d *device) syncRequest(url string) *http.Request {
	batch := make([]wire.SealedRecord, 0, 40)
	for _, r := range d.pending {
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			break
		}
	}
	body, _ := json.Marshal(wire.SyncRequest{DeviceID: d.id, Records: batch})
	req, _ := http.NewRequest("POST", url+"/api/v1/sync", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.token)
	return req
}

// delivered is what a store holds of the devices' records.
type delivered struct {
	acked, stored, lost, duplicated int
	auditEntries                    uint64
}

// deliveredStore is what checkDelivered reads: both stores have it.
type deliveredStore interface {
	CountRecords(context.Context) (int, error)
	StoredRecordByID(context.Context, string) (store.StoredRecord, error)
	DeviceSeqs(context.Context, string) ([]uint64, error)
	VerifyAudit(context.Context) (uint64, error)
}

// checkDelivered counts, in db, the records the devices were told are
// stored and finds each (lost: acknowledged and missing), counts every
// device's sequence numbers stored more than once (duplicated) and those
// it has (perDevice each), and verifies the audit chain.
func checkDelivered(t *testing.T, db deliveredStore, devices []*device, perDevice int) delivered {
	t.Helper()
	ctx := context.Background()
	var got delivered
	var err error
	if got.stored, err = db.CountRecords(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range devices {
		got.acked += len(d.acked)
		for id := range d.acked {
			if _, err := db.StoredRecordByID(ctx, id); err != nil {
				got.lost++
			}
		}
		seqs, err := db.DeviceSeqs(ctx, d.id)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]bool{}
		for _, s := range seqs {
			if seen[s] {
				got.duplicated++
			}
			seen[s] = true
		}
		if len(seen) != perDevice {
			t.Errorf("device %s: %d distinct sequence numbers stored, want %d", d.id, len(seen), perDevice)
		}
	}
	if got.auditEntries, err = db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	return got
}

// mustBeExact fails the test unless every one of total records was
// acknowledged and is stored exactly once.
func (got delivered) mustBeExact(t *testing.T, total int) {
	t.Helper()
	if got.acked != total || got.stored != total || got.lost != 0 || got.duplicated != 0 {
		t.Fatalf("acked %d stored %d of %d; lost %d duplicated %d", got.acked, got.stored, total, got.lost, got.duplicated)
	}
}
