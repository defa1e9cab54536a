// Package bench measures what the server pays: sync ingest against the
// ceiling of raw Badger, the surge of phones coming back after an outage,
// the shift bundle and the coordinators' records list. Run it with
// "make bench"; it is not part of "make test". Each benchmark reports its
// figures with b.ReportMetric; the report command (./report) puts them
// next to their targets in BENCHMARKS.md.
package bench

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/ingest"
	"beredskap/internal/keys"
	"beredskap/internal/seal"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
	"beredskap/server"
)

// srvEnv is the real server over loopback TCP on a real store (Badger in
// a temporary directory, or PostgreSQL: postgres_test.go), with the demo
// municipality. Over PostgreSQL it may be several nodes on one database:
// hs is the first, urls every node's address, which the phones take in
// turn.
type srvEnv struct {
	db     store.Store
	hs     *httptest.Server
	nodes  []*httptest.Server // every node, hs first
	urls   []string
	client *http.Client
	loc    *time.Location
	keys   *keys.Keys
}

func newSrvEnv(tb testing.TB) *srvEnv {
	tb.Helper()
	// Password hashing is not what is measured here: the fixture's cheap
	// hashes keep the setup short.
	d := servertest.New(tb)
	return newSrvNodes(tb, []store.Store{d.DB}, d.Loc, d.Hasher, d.Keys)
}

// newSrvNodes starts one server per store, all with the same keys (as
// the nodes of one deployment, which share them through the database);
// the first store is the one the benchmark reads back from.
func newSrvNodes(tb testing.TB, dbs []store.Store, loc *time.Location, hasher *auth.Hasher, keys *keys.Keys) *srvEnv {
	tb.Helper()
	e := &srvEnv{db: dbs[0], loc: loc, keys: keys}
	for _, db := range dbs {
		srv := server.New(server.Config{Location: loc, Hasher: hasher}, db, keys, nil)
		hs := httptest.NewServer(srv.Handler())
		tb.Cleanup(hs.Close)
		e.urls = append(e.urls, hs.URL)
		e.nodes = append(e.nodes, hs)
		if e.hs == nil {
			e.hs = hs
		}
	}
	e.client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}}
	return e
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
	counts   []int    // records in each request
}

// prepare encodes the outbox as the sync requests the phones' process
// sends, before the clock starts: the phones' work is not the server's.
func (p *srvPhone) prepare(tb testing.TB, batch int) {
	tb.Helper()
	p.requests, p.counts = nil, nil
	for i := 0; i < len(p.outbox); i += batch {
		part := p.outbox[i:min(i+batch, len(p.outbox))]
		b, err := json.Marshal(wire.SyncRequest{DeviceID: p.id, Records: part})
		if err != nil {
			tb.Fatal(err)
		}
		p.requests = append(p.requests, b)
		p.counts = append(p.counts, len(part))
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

// Ingest: 20 phones deliver at once over loopback, each record durable
// before its answer; the phones run in a process of their own
// (runPhones), so that the server's CPU is read alone. In the same run,
// raw Badger takes the same keys and values (record, signed body,
// indexes, audit entry) in the same batch sizes from 20 writers, with
// synced commits, and the protocol's two public-key operations are timed
// on every core with the opener and verifier the server calls: together
// the crypto-bound ceiling the server's ingest is compared with.
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
	cryptoRecords = 10_000
)

func BenchmarkSyncIngest(b *testing.B) {
	var rounds []ingestRound
	for b.Loop() {
		rounds = rounds[:0]
		for range ingestRounds() {
			rounds = append(rounds, badgerIngestRound(b))
		}
	}
	r := reportRounds(b, rounds, "badger")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
	b.ReportMetric(r.rawCPU, "badger-cpu-µs/record")
}

// badgerIngestRound is one round of BenchmarkSyncIngest: a new server,
// store and fleet, the ingest, and its ceiling measured beside it.
func badgerIngestRound(b *testing.B) ingestRound {
	b.StopTimer()
	e := newSrvEnv(b)
	phones := srvFleet(b, e, ingestPhones, ingestPer)
	shape := recordShape(b, e, phones[0])
	for _, p := range phones {
		p.prepare(b, ingestBatch)
	}
	before := measureCrypto(b, e.keys, phones, cryptoRecords)
	work := publicKeyWork(b, e.keys, phones)
	ceilingDB, err := badger.Open(b.TempDir(), badger.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rawDB, err := badger.Open(b.TempDir(), badger.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()

	r := deliverIngest(b, e, phones, nil, func(from, to int) {
		rawBadgerWrites(b, ceilingDB, shape, ingestPhones, from, to, ingestBatch, work)
	})
	if err := ceilingDB.Close(); err != nil {
		b.Fatal(err)
	}
	// The ingest's server and store stop before the parts are measured,
	// so that their compactions are not counted as raw Badger's CPU.
	e.hs.Close()
	if err := e.db.Close(); err != nil {
		b.Fatal(err)
	}

	// The ceiling's parts apart: the raw writes alone, and the public-key
	// work alone on every core.
	total := ingestPhones * ingestPer
	cpu0 := processCPU()
	start := time.Now()
	rawBadgerWrites(b, rawDB, shape, ingestPhones, 0, ingestPer, ingestBatch, nil)
	r.rawRate = float64(total) / time.Since(start).Seconds()
	r.rawCPU = perRecord(processCPU()-cpu0, total)
	if err := rawDB.Close(); err != nil {
		b.Fatal(err)
	}
	// The public-key work is timed again after the ingest and the
	// faster of the two counts.
	r.crypto = faster(before, measureCrypto(b, e.keys, phones, cryptoRecords))
	return r
}

// ingestSegments is how many parts an ingest round is cut into. The
// phones deliver a part of their requests, then the ceiling's program
// writes the same part of its records, then the phones the next part,
// and so on: the machine's speed, which on a shared VM drifts by a
// quarter from one second to the next, is then the same for the two
// sides of the share.
const ingestSegments = 5

// deliverIngest has the phones deliver the ingest's records (all but the
// probe: total-1) in ingestSegments parts, and after each part has
// ceiling write every writer's records from to to (not included) of the
// ceiling's own. It checks that every record was accepted once and
// stored, and returns the round's rate, the server's, the store's
// processes' (when storeCPU, their CPU so far, is given) and the phones'
// CPU over the phones' parts, and the ceiling's rate and CPU over its
// own.
func deliverIngest(b *testing.B, e *srvEnv, phones []*srvPhone, storeCPU func() time.Duration, ceiling func(from, to int)) ingestRound {
	storeNow := func() time.Duration {
		if storeCPU == nil {
			return 0
		}
		return storeCPU()
	}
	var d delivery
	var storeUsed, ceilingTook, ceilingCPU time.Duration
	batches := ingestPer / ingestBatch
	for seg := range ingestSegments {
		lo, hi := seg*batches/ingestSegments, (seg+1)*batches/ingestSegments
		part := make([]*srvPhone, len(phones))
		for i, p := range phones {
			q := *p
			q.requests, q.counts = p.requests[min(lo, len(p.requests)):min(hi, len(p.requests))], p.counts[min(lo, len(p.counts)):min(hi, len(p.counts))]
			part[i] = &q
		}
		store0 := storeNow()
		got, err := runPhones(b, e, part, 5*time.Minute)
		storeUsed += storeNow() - store0
		if err != nil {
			b.Fatal(err)
		}
		d.accepted += got.accepted
		d.duplicate += got.duplicate
		d.took += got.took
		d.serverCPU += got.serverCPU
		d.phonesCPU += got.phonesCPU

		cpu0, store0 := processCPU(), storeNow()
		start := time.Now()
		ceiling(lo*ingestBatch, hi*ingestBatch)
		ceilingTook += time.Since(start)
		ceilingCPU += processCPU() - cpu0 + storeNow() - store0
	}
	total := ingestPhones * ingestPer
	if d.accepted != total-1 || d.duplicate != 0 {
		b.Fatalf("accepted %d, duplicate %d of %d", d.accepted, d.duplicate, total-1)
	}
	if n, err := e.db.CountRecords(context.Background()); err != nil || n != total {
		b.Fatalf("stored %d of %d (%v)", n, total, err)
	}
	return ingestRound{
		rate:        float64(total-1) / d.took.Seconds(),
		serverCPU:   perRecord(d.serverCPU, total-1),
		storeCPU:    perRecord(storeUsed, total-1),
		phonesCPU:   perRecord(d.phonesCPU, total-1),
		ceilingRate: float64(total) / ceilingTook.Seconds(),
		ceilingCPU:  perRecord(ceilingCPU, total),
	}
}

// perRecord is t spread over n records, in microseconds.
func perRecord(t time.Duration, n int) float64 {
	return float64(t) / float64(time.Microsecond) / float64(n)
}

// ingestRound is one ingest and the ceiling measured beside it: records
// per second, CPU in µs per record (serverCPU the server's process,
// storeCPU a store's processes outside it, PostgreSQL's; ceilingCPU the
// ceiling's program's and rawCPU the raw writes' alone, the store's
// processes included in both), the phones' process's CPU, and the
// public-key work's cost alone.
type ingestRound struct {
	rate, ceilingRate, rawRate                         float64
	serverCPU, storeCPU, phonesCPU, ceilingCPU, rawCPU float64
	crypto                                             cryptoCost
}

// phonesCores is the share of the cores the phones' process took during
// the ingest: cores the server could not have.
func (r ingestRound) phonesCores() float64 { return r.phonesCPU * r.rate / 1e6 }

// serverCores is the cores the server had: the machine's, less what the
// phones' process took.
func (r ingestRound) serverCores() float64 {
	return float64(runtime.GOMAXPROCS(0)) - r.phonesCores()
}

// bound is the round's crypto-bound ceiling: the rate of the ceiling's
// program (the public-key work and the raw writes, together, on every
// core; it ran beside no phones), on the cores the server had.
func (r ingestRound) bound() float64 {
	return r.ceilingRate * r.serverCores() / float64(runtime.GOMAXPROCS(0))
}

func (r ingestRound) share() float64 { return 100 * r.rate / r.bound() }

// partsBound is the ceiling added up from its parts measured apart: the
// public-key work alone on every core and the raw writes alone, as if
// the two cost on the same cores at once what each costs alone.
func (r ingestRound) partsBound() float64 {
	return boundRate(r.crypto, r.rawCPU, r.rawRate, r.serverCores())
}

// ingestRounds is how many rounds an ingest benchmark runs
// (BENCH_INGEST_ROUNDS, 3 unless set): its figures are the round whose
// share of its ceiling is the median, beside the lowest and the highest
// share of all rounds.
func ingestRounds() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_INGEST_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// reportRounds reports the median round of an ingest (see ingestRounds)
// and returns it; raw names the raw writes' metrics.
func reportRounds(b *testing.B, rounds []ingestRound, raw string) ingestRound {
	sorted := slices.Clone(rounds)
	slices.SortFunc(sorted, func(x, y ingestRound) int { return cmp.Compare(x.share(), y.share()) })
	r := sorted[len(sorted)/2]
	b.ReportMetric(r.serverCPU, "server-cpu-µs/record")
	b.ReportMetric(r.phonesCPU, "phones-cpu-µs/record")
	b.ReportMetric(r.phonesCores(), "phones-cores")
	bound := r.bound()
	b.ReportMetric(r.rate, "records/s")
	b.ReportMetric(r.rawRate, raw+"-records/s")
	b.ReportMetric(r.rawCPU, raw+"-cpu-µs/record")
	b.ReportMetric(100*r.rate/r.rawRate, "%-of-"+raw)
	b.ReportMetric(r.crypto.open, "open-µs/record")
	b.ReportMetric(r.crypto.verify, "verify-µs/record")
	b.ReportMetric(r.crypto.rate, "crypto-records/s")
	b.ReportMetric(bound, "bound-records/s")
	b.ReportMetric(r.share(), "%-of-bound")
	b.ReportMetric(sorted[0].share(), "%-of-bound-min")
	b.ReportMetric(sorted[len(sorted)-1].share(), "%-of-bound-max")
	b.ReportMetric(float64(len(rounds)), "rounds")
	// The same share in CPU per record, which other load on the machine
	// moves less: what the ceiling's program spent on a record against
	// what the server (and the store's own processes) spent.
	b.ReportMetric(r.ceilingCPU, "bound-cpu-µs/record")
	b.ReportMetric(100*r.ceilingCPU/(r.serverCPU+r.storeCPU), "%-of-bound-cpu")
	// The share of the ceiling added up from its parts measured apart.
	b.ReportMetric(r.partsBound(), "parts-records/s")
	b.ReportMetric(100*r.rate/r.partsBound(), "%-of-parts")
	b.ReportMetric(100*(r.crypto.open+r.crypto.verify+r.rawCPU)/(r.serverCPU+r.storeCPU), "%-of-parts-cpu")
	return r
}

// faster is the faster of two timings of the public-key work.
func faster(a, b cryptoCost) cryptoCost {
	if a.rate > b.rate {
		return a
	}
	return b
}

// boundRate is the most any ingest could reach on cores of the
// machine's cores (fewer when another process takes some): every record
// costs at least the protocol's two public-key operations, at the rate
// they reach on every core at once (crypto.rate, scaled to the cores),
// plus the CPU the raw store writes spend on it (rawCPU, µs per record),
// spread perfectly over the cores; and no more than the raw writes reach
// (rawRate, scaled alike).
func boundRate(crypto cryptoCost, rawCPU, rawRate, cores float64) float64 {
	scale := cores / float64(runtime.GOMAXPROCS(0))
	return min(1/(1/(crypto.rate*scale)+rawCPU/1e6/cores), rawRate*scale)
}

// cryptoCost is what the protocol's public-key work costs: opening the
// sealed box (X25519) and checking the device's Ed25519 signature, in
// microseconds of CPU per record, and the records per second both reach
// together on every core at once.
type cryptoCost struct{ open, verify, rate float64 }

// measureCrypto opens and verifies n records of the phones' outboxes on
// GOMAXPROCS goroutines, with the opener and the verifier the server
// calls per record (ingest.Open's two public-key steps). The two
// operations are timed alone: the envelopes are decoded between the two
// rounds, off the clock.
func measureCrypto(tb testing.TB, keys ingest.Opener, phones []*srvPhone, n int) cryptoCost {
	tb.Helper()
	type item struct {
		key    ingest.DeviceKey
		sealed []byte
	}
	// The server expands a device's key once a request; here once a
	// phone, off the clock (a request's 11 µs or so are a fraction of a
	// microsecond per record).
	devKeys := make([]ingest.DeviceKey, len(phones))
	for i, p := range phones {
		k, err := ingest.NewDeviceKey(p.key)
		if err != nil {
			tb.Fatal(err)
		}
		devKeys[i] = k
	}
	var items []item
	for i := 0; len(items) < n; i++ {
		p := phones[i%len(phones)]
		items = append(items, item{devKeys[i%len(phones)], p.outbox[(i/len(phones))%len(p.outbox)].Sealed})
	}
	workers := runtime.GOMAXPROCS(0)
	// each runs fn over the items, split over the workers, and returns
	// the wall time and the process's CPU time it took.
	each := func(fn func(i int) error) (wall, cpu time.Duration) {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		cpu0 := processCPU()
		start := time.Now()
		for w := range workers {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(items); i += workers {
					if err := fn(i); err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		wall, cpu = time.Since(start), processCPU()-cpu0
		close(errs)
		for err := range errs {
			tb.Fatal(err)
		}
		return wall, cpu
	}
	plains := make([][]byte, len(items))
	openWall, openCPU := each(func(i int) error {
		plain, err := keys.OpenRecord(items[i].sealed)
		if err != nil {
			return fmt.Errorf("open record: %w", err)
		}
		plains[i] = plain
		return nil
	})
	envs := make([]wire.SignedRecord, len(items))
	for i, plain := range plains {
		if err := json.Unmarshal(plain, &envs[i]); err != nil {
			tb.Fatalf("decode envelope: %v", err)
		}
	}
	verifyWall, verifyCPU := each(func(i int) error {
		if !items[i].key.Verify(envs[i].Body, envs[i].Sig) {
			return errors.New("a bench record's signature does not verify")
		}
		return nil
	})
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(len(items)) }
	return cryptoCost{open: per(openCPU), verify: per(verifyCPU), rate: float64(len(items)) / (openWall + verifyWall).Seconds()}
}

// publicKeyWork returns the protocol's two public-key operations on the
// records from to to (not included) of phone w's outbox, with the opener
// and the verifier the server calls: every sealed box opened, then every
// signature checked. The envelopes are decoded here, once, off the clock.
func publicKeyWork(tb testing.TB, keys ingest.Opener, phones []*srvPhone) func(w, from, to int) error {
	tb.Helper()
	envs := make([][]wire.SignedRecord, len(phones))
	for w, p := range phones {
		for _, item := range p.outbox {
			plain, err := keys.OpenRecord(item.Sealed)
			if err != nil {
				tb.Fatalf("open record: %v", err)
			}
			var env wire.SignedRecord
			if err := json.Unmarshal(plain, &env); err != nil {
				tb.Fatalf("decode envelope: %v", err)
			}
			envs[w] = append(envs[w], env)
		}
	}
	return func(w, from, to int) error {
		p := phones[w%len(phones)]
		for i := from; i < to; i++ {
			if _, err := keys.OpenRecord(p.outbox[i%len(p.outbox)].Sealed); err != nil {
				return fmt.Errorf("open record: %w", err)
			}
		}
		// Expanded once a batch, as the server does once a request.
		key, err := ingest.NewDeviceKey(p.key)
		if err != nil {
			return fmt.Errorf("device key: %w", err)
		}
		for i := from; i < to; i++ {
			env := envs[w%len(phones)][i%len(p.outbox)]
			if !key.Verify(env.Body, env.Sig) {
				return errors.New("a bench record's signature does not verify")
			}
		}
		return nil
	}
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
	sr, entry := probeRecord(tb, e, p)
	rec, err := json.Marshal(sr)
	if err != nil {
		tb.Fatal(err)
	}
	audit, err := json.Marshal(entry)
	if err != nil {
		tb.Fatal(err)
	}
	s := shape{record: len(rec), body: len(sr.Body) + len(sr.Sig) + 24, audit: len(audit)}
	for range 7 {
		s.indexKeys = append(s.indexKeys, len("recpatient/")+36+1+20+1+36)
	}
	return s
}

// probeRecord delivers the phone's last note alone (it leaves the
// outbox) and returns what the server stored for it: the record and its
// audit entry.
func probeRecord(tb testing.TB, e *srvEnv, p *srvPhone) (store.StoredRecord, store.AuditEntry) {
	tb.Helper()
	var resp wire.SyncResponse
	probe := p.outbox[len(p.outbox)-1]
	p.outbox = p.outbox[:len(p.outbox)-1]
	e.mustCall(tb, "POST", "/api/v1/sync", p.token, wire.SyncRequest{DeviceID: p.id, Records: []wire.SealedRecord{probe}}, &resp)
	sr, err := e.db.StoredRecordByID(context.Background(), probe.ID)
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
	return sr, entries[0]
}

// rawBadgerWrites writes, from writers goroutines, each writer's records
// from to to (not included) in batches of batch, every record as its keys
// and values of the same sizes the server stores, each batch one synced
// transaction: the record, its signed body, its index keys, its audit
// entry and the entry's subject key, and once a transaction the audit
// chain's head. work, when given, is done on each batch's records first
// (see writeBatches).
func rawBadgerWrites(tb testing.TB, db *badger.DB, s shape, writers, from, to, batch int, work func(w, from, to int) error) {
	tb.Helper()
	bdb := db.Badger()
	value := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	rec, body, audit := value(s.record), value(s.body), value(s.audit)
	// The chain's head: {"seq":…,"hash":"…"} with a SHA-256 in hex.
	head := value(len(`{"seq":10000000,"hash":""}`) + 64)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			err := writeBatches(from, to, batch, work, w, func(lo, hi int) error {
				txn := bdb.NewTransaction(true)
				var err error // the transaction's first
				set := func(k string, v []byte) {
					if err == nil {
						err = txn.Set([]byte(k), v)
					}
				}
				for i := lo; i < hi; i++ {
					id := uuid.Must(uuid.NewV7()).String()
					set("rec/"+id, rec)
					set("recbody/"+id, body)
					for k, n := range s.indexKeys {
						key := fmt.Sprintf("idx%d/%s", k, id)
						set(key+strings.Repeat("0", max(0, n-len(key))), nil)
					}
					set(fmt.Sprintf("audit/%d/%020d", w, i), audit)
					set(fmt.Sprintf("auditsubj/%s/%d%019d", id, w, i), nil)
				}
				set(fmt.Sprintf("auditmeta/head/%d", w), head)
				if err != nil {
					txn.Discard()
					return err
				}
				return txn.Commit()
			})
			if err != nil {
				errs <- err
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// writeBatches has writer w write its records from to to (not included)
// in batches of batch, each batch written by write once the batch before
// it is: durable in turn, as a phone's are. work, when given, is done on
// each batch's records before it is written, and while the batch before
// it is being written: the ceiling's writer opens and verifies its next
// batch during a commit, as the server opens the next request's records.
func writeBatches(from, to, batch int, work func(w, from, to int) error, w int, write func(from, to int) error) error {
	var writing chan error // the batch before's write, when one runs
	wait := func() error {
		if writing == nil {
			return nil
		}
		err := <-writing
		writing = nil
		return err
	}
	for lo := from; lo < to; lo += batch {
		hi := min(lo+batch, to)
		if work != nil {
			if err := work(w, lo, hi); err != nil {
				return errors.Join(err, wait())
			}
		}
		if err := wait(); err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() { done <- write(lo, hi) }()
		writing = done
	}
	return wait()
}

// Surge: 2,000 phones come back at once after the outage, 50 records each,
// every phone sending its whole outbox in one request and retrying what
// fails, from the phones' process (runPhones). Afterwards every phone
// sends it all again (as a phone that never heard the answer does): every
// record must come back as a duplicate.
func BenchmarkRestoreSurge(b *testing.B) { restoreSurge(b, newSrvEnv) }

// restoreSurge runs the surge against the server newEnv starts.
func restoreSurge(b *testing.B, newEnv func(testing.TB) *srvEnv) {
	var took time.Duration
	var lost, dups int
	var serverCPU, phonesCPU float64
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		phones := srvFleet(b, e, surgePhones, surgePer)
		for _, p := range phones {
			p.prepare(b, surgePer)
		}
		b.StartTimer()
		d, err := runPhones(b, e, phones, 10*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		took = d.took
		total := surgePhones * surgePer
		b.StopTimer()
		serverCPU = float64(d.serverCPU) / float64(time.Microsecond) / float64(total)
		phonesCPU = float64(d.phonesCPU) / float64(time.Microsecond) / float64(total)
		stored, err := e.db.CountRecords(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		lost = total - stored
		again, err := runPhones(b, e, phones, 10*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		after, _ := e.db.CountRecords(context.Background())
		dups = d.duplicate + again.accepted + (after - stored)
		if d.accepted != total || lost != 0 || dups != 0 || again.duplicate != total {
			b.Fatalf("accepted %d of %d, lost %d, stored twice %d, second delivery: %d duplicates", d.accepted, total, lost, dups, again.duplicate)
		}
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds(), "s-total")
	b.ReportMetric(float64(surgePhones*surgePer)/took.Seconds(), "records/s")
	b.ReportMetric(serverCPU, "server-cpu-µs/record")
	b.ReportMetric(phonesCPU, "phones-cpu-µs/record")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(dups), "duplicated")
}
