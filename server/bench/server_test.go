// Package bench measures what the server pays: sync ingest against the
// ceiling of raw Badger, the surge of phones coming back after an outage,
// the shift bundle and the coordinators' records list. Run it with
// "make bench"; it is not part of "make test". Each benchmark reports its
// figures with b.ReportMetric; the report command (./report) puts them
// next to their targets in BENCHMARKS.md.
package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
	"beredskap/server"
)

// srvEnv is the real server over loopback TCP on a real Badger store in a
// temporary directory, with the demo municipality.
type srvEnv struct {
	db     *badger.DB
	hs     *httptest.Server
	client *http.Client
	loc    *time.Location
	keys   *server.Keys
}

func newSrvEnv(tb testing.TB) *srvEnv {
	tb.Helper()
	dir := tb.TempDir()
	// Keys first, as serve does: a store without keys is refused.
	keys, err := server.LoadKeys(dir)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := badger.Open(dir+"/db", badger.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		tb.Fatal(err)
	}
	// Password hashing is not what is measured here; cheap hashes keep
	// the setup short.
	hasher := auth.NewHasher(1, 8<<10, 1, 4)
	if err := server.SeedDemo(context.Background(), db, hasher, time.Now(), loc); err != nil {
		tb.Fatal(err)
	}
	srv := server.New(server.Config{Location: loc, Hasher: hasher}, db, keys, nil)
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}}
	return &srvEnv{db: db, hs: hs, client: client, loc: loc, keys: keys}
}

// call sends one request and decodes a 200 answer into out.
func (e *srvEnv) call(method, path, token string, in, out any) (int, error) {
	var body io.Reader
	if raw, ok := in.([]byte); ok {
		body = bytes.NewReader(raw) // already encoded
	} else if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.hs.URL+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", path, err)
		}
	}
	return resp.StatusCode, nil
}

func (e *srvEnv) mustCall(tb testing.TB, method, path, token string, in, out any) {
	tb.Helper()
	if _, err := e.call(method, path, token, in, out); err != nil {
		tb.Fatal(err)
	}
}

// srvPhone is a simulated phone with its outbox of sealed records.
type srvPhone struct {
	id       string
	key      ed25519.PublicKey
	token    string
	outbox   []wire.SealedRecord
	records  int
	requests [][]byte // the outbox in sync requests of one batch size
}

// prepare encodes the outbox as the sync requests deliver sends, before
// the clock starts: the phones' work is not the server's.
func (p *srvPhone) prepare(tb testing.TB, batch int) {
	tb.Helper()
	p.requests = nil
	for i := 0; i < len(p.outbox); i += batch {
		b, err := json.Marshal(wire.SyncRequest{DeviceID: p.id, Records: p.outbox[i:min(i+batch, len(p.outbox))]})
		if err != nil {
			tb.Fatal(err)
		}
		p.requests = append(p.requests, b)
	}
}

// srvFleet registers n phones, spread over the demo's workers and nurses,
// and fills each outbox with per notes for the user's own patients, signed
// and sealed as the phone does. One login and one bundle per user: the
// bundle is what authorises the user's patients.
func srvFleet(tb testing.TB, e *srvEnv, n, per int) []*srvPhone {
	tb.Helper()
	type account struct {
		login    wire.LoginResponse
		patients []string
	}
	var accounts []account
	for _, u := range []string{"anna", "nils", "ole", "sara", "per", "lise"} {
		var a account
		e.mustCall(tb, "POST", "/api/v1/session", "", wire.LoginRequest{Username: u, Password: "demo"}, &a.login)
		pub, _, err := seal.NewSigningKey()
		if err != nil {
			tb.Fatal(err)
		}
		var dr wire.DeviceResponse
		e.mustCall(tb, "POST", "/api/v1/devices", a.login.Token, wire.DeviceRequest{PublicKey: pub, Label: "bench"}, &dr)
		var br wire.BundleResponse
		e.mustCall(tb, "GET", "/api/v1/bundle", a.login.Token, nil, &br)
		var b wire.Bundle
		if err := json.Unmarshal(br.Bundle, &b); err != nil {
			tb.Fatal(err)
		}
		for _, v := range b.Visits {
			if b.Own(v) {
				a.patients = append(a.patients, v.PatientID)
			}
		}
		if len(a.patients) == 0 {
			tb.Fatalf("%s has no own visits", u)
		}
		accounts = append(accounts, a)
	}
	phones := make([]*srvPhone, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range phones {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			a := accounts[i%len(accounts)]
			pub, priv, err := seal.NewSigningKey()
			if err != nil {
				errs <- err
				return
			}
			var dr wire.DeviceResponse
			if _, err := e.call("POST", "/api/v1/devices", a.login.Token, wire.DeviceRequest{PublicKey: pub, Label: fmt.Sprintf("bench %d", i)}, &dr); err != nil {
				errs <- err
				return
			}
			p := &srvPhone{id: dr.DeviceID, key: ed25519.PublicKey(pub), token: a.login.Token, records: per}
			for s := 1; s <= per; s++ {
				sr, err := srvNote(dr.DeviceID, a.login, ed25519.PrivateKey(priv), a.patients[s%len(a.patients)], uint64(s))
				if err != nil {
					errs <- err
					return
				}
				p.outbox = append(p.outbox, sr)
			}
			phones[i] = p
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return phones
}

// noteText is a typical offline note: a few sentences.
var noteText = strings.Repeat("Ingen svar på dør ved første besøk, nøkkelboks brukt. Pasienten var i god form, spiste frokost. ", 4)

func srvNote(device string, login wire.LoginResponse, key ed25519.PrivateKey, patient string, seq uint64) (wire.SealedRecord, error) {
	r := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordNote, DeviceID: device,
		AuthorID: login.User.ID, PatientID: patient, CreatedAt: time.Now().UTC(), Seq: seq, Text: noteText}
	body, err := json.Marshal(r)
	if err != nil {
		return wire.SealedRecord{}, err
	}
	sealed, err := seal.SealRecord(body, key, login.SealKey)
	if err != nil {
		return wire.SealedRecord{}, err
	}
	return wire.SealedRecord{ID: r.ID, Sealed: sealed}, nil
}

// deliver sends a phone's prepared requests (batches of batch) until every record
// has an answer, retrying a failed request after a short pause as the app
// does. It returns how many records were accepted and how many were
// answered as duplicates.
func (p *srvPhone) deliver(e *srvEnv, batch int, deadline time.Time) (accepted, duplicate int, err error) {
	pending := p.outbox
	for k := 0; len(pending) > 0; {
		if time.Now().After(deadline) {
			return accepted, duplicate, fmt.Errorf("device %s: %d records unanswered at the deadline", p.id, len(pending))
		}
		n := min(batch, len(pending))
		var resp wire.SyncResponse
		if _, err := e.call("POST", "/api/v1/sync", p.token, p.requests[k], &resp); err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		k++
		if len(resp.Results) != n {
			return accepted, duplicate, fmt.Errorf("device %s: %d results for %d records", p.id, len(resp.Results), n)
		}
		for _, r := range resp.Results {
			switch r.Status {
			case wire.SyncAccepted:
				accepted++
			case wire.SyncDuplicate:
				duplicate++
			default:
				return accepted, duplicate, fmt.Errorf("record %s: %s %s %s", r.ID, r.Status, r.Code, r.Message)
			}
		}
		pending = pending[n:]
	}
	return accepted, duplicate, nil
}

// deliverAll runs every phone's delivery at once and sums the answers.
func deliverAll(e *srvEnv, phones []*srvPhone, batch int, deadline time.Time) (accepted, duplicate int, err error) {
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, p := range phones {
		wg.Add(1)
		go func(p *srvPhone) {
			defer wg.Done()
			a, d, err := p.deliver(e, batch, deadline)
			mu.Lock()
			defer mu.Unlock()
			accepted += a
			duplicate += d
			if err != nil && first == nil {
				first = err
			}
		}(p)
	}
	wg.Wait()
	return accepted, duplicate, first
}

// Ingest: 20 phones deliver at once over loopback, each record durable
// before its answer. In the same run, raw Badger takes the same keys and
// values (record, signed body, indexes, audit entry) in the same batch
// sizes from 20 writers, with synced commits: the ceiling the server's
// ingest is compared with.
const (
	ingestPhones  = 20
	ingestPer     = 1000
	ingestBatch   = 100
	surgePhones   = 2000
	surgePer      = 50
	listRecords   = 100_000
	listQueries   = 400
	bundleVisits  = 20
	bundlePatient = 40
)

func BenchmarkSyncIngest(b *testing.B) {
	var ingestRate, rawRate, ingestCPU, rawCPU float64
	var floor cryptoCost
	for b.Loop() {
		b.StopTimer()
		e := newSrvEnv(b)
		phones := srvFleet(b, e, ingestPhones, ingestPer)
		shape := recordShape(b, e, phones[0])
		for _, p := range phones {
			p.prepare(b, ingestBatch)
		}
		floor = measureCrypto(b, e.keys, phones, 2000)
		rawDB, err := badger.Open(b.TempDir(), badger.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		cpu0 := processCPU()
		start := time.Now()
		accepted, dup, err := deliverAll(e, phones, ingestBatch, time.Now().Add(5*time.Minute))
		took := time.Since(start)
		cpu1 := processCPU()
		if err != nil {
			b.Fatal(err)
		}
		total := ingestPhones * ingestPer
		if accepted != total-1 || dup != 0 {
			b.Fatalf("accepted %d, duplicate %d of %d", accepted, dup, total-1)
		}
		if n, err := e.db.CountRecords(context.Background()); err != nil || n != total {
			b.Fatalf("stored %d of %d (%v)", n, total, err)
		}
		ingestRate = float64(total-1) / took.Seconds()
		ingestCPU = float64(cpu1-cpu0) / float64(time.Microsecond) / float64(total-1)
		// The ingest's server and store stop before the ceiling is measured,
		// so that their compactions are not counted as raw Badger's CPU.
		e.hs.Close()
		if err := e.db.Close(); err != nil {
			b.Fatal(err)
		}

		cpu0 = processCPU()
		start = time.Now()
		rawBadgerWrites(b, rawDB, shape, ingestPhones, ingestPer, ingestBatch)
		rawRate = float64(total) / time.Since(start).Seconds()
		rawCPU = float64(processCPU()-cpu0) / float64(time.Microsecond) / float64(total)
		rawDB.Close()
	}
	b.ReportMetric(ingestRate, "records/s")
	b.ReportMetric(rawRate, "badger-records/s")
	b.ReportMetric(100*ingestRate/rawRate, "%-of-badger")
	b.ReportMetric(ingestCPU, "cpu-µs/record")
	b.ReportMetric(rawCPU, "badger-cpu-µs/record")
	b.ReportMetric(floor.open, "open-µs/record")
	b.ReportMetric(floor.verify, "verify-µs/record")
	// The most any ingest could reach on these cores: every record costs
	// at least what raw Badger spends on it plus the protocol's two
	// public-key operations, all of it spread perfectly over the cores.
	cores := float64(runtime.GOMAXPROCS(0))
	b.ReportMetric(cores, "cores")
	best := cores / ((rawCPU + floor.open + floor.verify) / 1e6)
	b.ReportMetric(100*min(best, rawRate)/rawRate, "%-of-badger-bound")
}

// cryptoCost is what the protocol's public-key work costs per record on
// one core, in microseconds: opening the sealed box (X25519) and checking
// the device's Ed25519 signature.
type cryptoCost struct{ open, verify float64 }

// measureCrypto opens and verifies n records of the phones' outboxes on
// one goroutine, timing the two operations alone (the envelopes are
// decoded between the two loops, off the clock).
func measureCrypto(tb testing.TB, keys *server.Keys, phones []*srvPhone, n int) cryptoCost {
	tb.Helper()
	type item struct {
		key    ed25519.PublicKey
		sealed []byte
	}
	var items []item
	for i := 0; len(items) < n; i++ {
		p := phones[i%len(phones)]
		items = append(items, item{p.key, p.outbox[(i/len(phones))%len(p.outbox)].Sealed})
	}
	plains := make([][]byte, len(items))
	start := time.Now()
	for i, it := range items {
		plain, err := keys.OpenRecord(it.sealed)
		if err != nil {
			tb.Fatalf("open record: %v", err)
		}
		plains[i] = plain
	}
	open := time.Since(start)
	envs := make([]wire.SignedRecord, len(items))
	for i, plain := range plains {
		if err := json.Unmarshal(plain, &envs[i]); err != nil {
			tb.Fatalf("decode envelope: %v", err)
		}
	}
	start = time.Now()
	for i, it := range items {
		if !seal.Verify(it.key, envs[i].Body, envs[i].Sig) {
			tb.Fatal("a bench record's signature does not verify")
		}
	}
	verify := time.Since(start)
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(len(items)) }
	return cryptoCost{open: per(open), verify: per(verify)}
}

// shape is the size of what one stored record costs in Badger.
type shape struct {
	record, body, audit int
	indexKeys           []int
}

// recordShape measures a stored record of the ingest: the record's own
// value, its signed body, its index keys and its audit entry.
func recordShape(tb testing.TB, e *srvEnv, p *srvPhone) shape {
	tb.Helper()
	// Deliver the phone's last note alone, then measure what was stored.
	var resp wire.SyncResponse
	probe := p.outbox[len(p.outbox)-1]
	p.outbox = p.outbox[:len(p.outbox)-1]
	e.mustCall(tb, "POST", "/api/v1/sync", p.token, wire.SyncRequest{DeviceID: p.id, Records: []wire.SealedRecord{probe}}, &resp)
	sr, err := e.db.StoredRecordByID(context.Background(), probe.ID)
	if err != nil {
		tb.Fatal(err)
	}
	rec, err := json.Marshal(sr)
	if err != nil {
		tb.Fatal(err)
	}
	head, err := e.db.AuditHead(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	entries, err := e.db.AuditLog(context.Background(), head, 1)
	if err != nil || len(entries) != 1 {
		tb.Fatalf("audit entry of the probe: %v", err)
	}
	audit, err := json.Marshal(entries[0])
	if err != nil {
		tb.Fatal(err)
	}
	s := shape{record: len(rec), body: len(sr.Body) + len(sr.Sig) + 24, audit: len(audit)}
	for range 7 {
		s.indexKeys = append(s.indexKeys, len("recpatient/")+36+1+20+1+36)
	}
	return s
}

// rawBadgerWrites writes, from writers goroutines, per records each in
// batches of batch, every record as its keys and values of the same sizes
// the server stores, each batch one synced transaction.
func rawBadgerWrites(tb testing.TB, db *badger.DB, s shape, writers, per, batch int) {
	tb.Helper()
	bdb := db.Badger()
	value := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	rec, body, audit := value(s.record), value(s.body), value(s.audit)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for done := 0; done < per; done += batch {
				txn := bdb.NewTransaction(true)
				for i := done; i < min(done+batch, per); i++ {
					id := uuid.Must(uuid.NewV7()).String()
					set := func(k string, v []byte) {
						if err := txn.Set([]byte(k), v); err != nil {
							errs <- err
						}
					}
					set("rec/"+id, rec)
					set("recbody/"+id, body)
					for k, n := range s.indexKeys {
						key := fmt.Sprintf("idx%d/%s", k, id)
						set(key+strings.Repeat("0", max(0, n-len(key))), nil)
					}
					set(fmt.Sprintf("audit/%d/%020d", w, i), audit)
				}
				if err := txn.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// Surge: 2,000 phones come back at once after the outage, 50 records each,
// every phone sending its whole outbox in one request and retrying what
// fails. Afterwards every phone sends it all again (as a phone that never
// heard the answer does): every record must come back as a duplicate.
func BenchmarkRestoreSurge(b *testing.B) {
	var took time.Duration
	var lost, dups int
	for b.Loop() {
		b.StopTimer()
		e := newSrvEnv(b)
		phones := srvFleet(b, e, surgePhones, surgePer)
		for _, p := range phones {
			p.prepare(b, surgePer)
		}
		b.StartTimer()
		start := time.Now()
		accepted, dup, err := deliverAll(e, phones, surgePer, time.Now().Add(10*time.Minute))
		took = time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		total := surgePhones * surgePer
		b.StopTimer()
		stored, err := e.db.CountRecords(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		lost = total - stored
		again, dup2, err := deliverAll(e, phones, surgePer, time.Now().Add(10*time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		after, _ := e.db.CountRecords(context.Background())
		dups = dup + again + (after - stored)
		if accepted != total || lost != 0 || dups != 0 || dup2 != total {
			b.Fatalf("accepted %d of %d, lost %d, stored twice %d, second delivery: %d duplicates", accepted, total, lost, dups, dup2)
		}
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds(), "s-total")
	b.ReportMetric(float64(surgePhones*surgePer)/took.Seconds(), "records/s")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(dups), "duplicated")
}
