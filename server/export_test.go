package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
	"beredskap/internal/demo"
	"beredskap/internal/export"
	"beredskap/internal/keys"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

func TestExports(t *testing.T) {
	e := newEnv(t)
	synced(t, e)
	tok := e.login("admin").Token
	code, raw := e.call("GET", "/api/v1/export/csv", tok, nil, nil)
	if code != 200 || strings.Count(string(raw), "\n") != 7 || !strings.HasPrefix(string(raw), "id,type,state,") {
		t.Fatalf("csv %d %s", code, raw)
	}
	code, raw = e.call("GET", "/api/v1/export/fhir?type=note", tok, nil, nil)
	if code != 200 {
		t.Fatalf("fhir %d %s", code, raw)
	}
	b, err := fhir.UnmarshalBundle(raw)
	if err != nil || len(b.Entry) != 6 {
		t.Fatalf("bundle %v, %v", len(b.Entry), err)
	}
	var head struct{ ResourceType string }
	json.Unmarshal(b.Entry[0].Resource, &head)
	if head.ResourceType != "Communication" {
		t.Fatalf("resource %s", head.ResourceType)
	}
	got := exportAudit(t, e.db)
	want := []string{"csv started", "csv complete 6", "fhir started", "fhir complete 6"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("export entries in the audit log: %v, want %v", got, want)
	}
}

var exportDetail = regexp.MustCompile(`^export=(\S+) format=(\w+) query="[^"]*" status=(\w+)(?: records=(\d+))?$`)

// exportAudit reads the export entries of the audit log as "format
// status [records]", and checks that each end names an export started
// before it.
func exportAudit(t *testing.T, db store.AuditTrail) []string {
	t.Helper()
	entries, err := db.AuditLog(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	started := map[string]bool{}
	for _, en := range entries {
		if en.Action != store.AuditExport {
			continue
		}
		m := exportDetail.FindStringSubmatch(en.Detail)
		if m == nil {
			t.Fatalf("export entry %q", en.Detail)
		}
		if m[3] == "started" {
			started[m[1]] = true
		} else if !started[m[1]] {
			t.Fatalf("export %s ended without a start", m[1])
		}
		out = append(out, strings.TrimSpace(m[2]+" "+m[3]+" "+m[4]))
	}
	return out
}

// seedRecords stores n records of every type for the demo's patients,
// straight into the store as sync would have, received a second apart.
func seedRecords(t testing.TB, db store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	units, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var patients []care.Patient
	for _, u := range units {
		ps, err := db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		patients = append(patients, ps...)
	}
	accounts, err := db.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	types := care.RecordTypes()
	signature := strings.Repeat("M10 10 L20 25 ", 60)
	for done := 0; done < n; {
		batch := make([]store.StoredRecord, 0, 1000)
		for ; len(batch) < 1000 && done < n; done++ {
			p, a := patients[done%len(patients)], accounts[done%len(accounts)]
			at := start.Add(time.Duration(done) * time.Second)
			rec := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: types[done%len(types)], DeviceID: "dev-" + a.ID,
				AuthorID: a.ID, PatientID: p.ID, CreatedAt: at, Seq: uint64(done + 1)}
			switch rec.Type {
			case care.RecordNote:
				rec.Text = "Spiste frokost, tok medisiner, litt urolig i natt. Datter ringer i kveld."
			case care.RecordMedication:
				rec.Medication, rec.Dose, rec.Route, rec.Status, rec.AdministeredAt, rec.SignatureSVG = "Paracet", "1 g", "oral", care.DoseGiven, &at, signature
			case care.RecordDeviation:
				rec.Category, rec.Severity, rec.Description, rec.ActionTaken = "fall", care.SeverityMedium, "Funnet på gulvet", "Hjalp opp, ringte sykepleier"
			case care.RecordVisitStatus:
				rec.Status, rec.At = care.VisitCompleted, &at
			case care.RecordAccess:
				rec.Reason, rec.At, rec.EmergencyReason = "Besøket flyttet", &at, "Besøket flyttet"
			}
			body, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, store.StoredRecord{ID: rec.ID, Type: rec.Type, DeviceID: rec.DeviceID, AuthorID: a.ID,
				PatientID: p.ID, UnitID: p.UnitID, Seq: rec.Seq, CreatedAt: at, Received: at.Add(time.Minute),
				BodyHash: fmt.Sprintf("%064x", done), State: store.StateNew, Body: body, Sig: make([]byte, 64)})
		}
		if err := db.PutRecords(ctx, batch, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// get sends a GET with the token and returns the answer unread.
func getExport(t *testing.T, ctx context.Context, hs *httptest.Server, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", hs.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestExportStreams exports thousands of records (many chunks) and reads
// the answers as a client would while they come: the CSV with
// encoding/csv row by row, the Bundle with a JSON decoder entry by
// entry, each record once (in the order the store reads them fastest).
func TestExportStreams(t *testing.T) {
	e := newEnv(t)
	const n = 4000
	seedRecords(t, e.db, n)
	var want []string
	f := store.RecordFilter{Limit: 1000}
	for {
		page, next, err := e.db.ListRecords(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			want = append(want, r.ID)
		}
		if f.Cursor = next; next == "" {
			break
		}
	}
	tok := e.login("admin").Token

	resp := getExport(t, context.Background(), e.http, "/api/v1/export/csv", tok)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	cr := csv.NewReader(resp.Body)
	header, err := cr.Read()
	if err != nil || strings.Join(header, ",") != strings.Join(export.Columns, ",") {
		t.Fatalf("header %v, %v", header, err)
	}
	var got []string
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row[0])
	}
	resp.Body.Close()
	if !sameRecords(got, want) {
		t.Fatalf("csv: %d rows, want each of the %d records once", len(got), len(want))
	}

	resp = getExport(t, context.Background(), e.http, "/api/v1/export/fhir", tok)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/fhir+json; charset=utf-8" {
		t.Fatalf("fhir: %d %v", resp.StatusCode, resp.Header)
	}
	got = streamedEntries(t, resp.Body)
	resp.Body.Close()
	if !sameRecords(got, want) {
		t.Fatalf("fhir: %d entries, want each of the %d records once", len(got), len(want))
	}
	if a := exportAudit(t, e.db); strings.Join(a, "; ") != fmt.Sprintf("csv started; csv complete %d; fhir started; fhir complete %d", n, n) {
		t.Fatalf("audit %v", a)
	}
}

// streamedEntries reads a Bundle with a token decoder as it arrives and
// returns the ids of its entries' resources, checking each resource
// against its FHIR type.
func streamedEntries(t *testing.T, r io.Reader) []string {
	t.Helper()
	dec := json.NewDecoder(r)
	expect := func(want json.Delim) {
		t.Helper()
		tok, err := dec.Token()
		if err != nil || tok != want {
			t.Fatalf("token %v, %v; want %v", tok, err, want)
		}
	}
	expect('{')
	var ids []string
	seen := map[string]bool{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		seen[key.(string)] = true
		if key != "entry" {
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			continue
		}
		expect('[')
		for dec.More() {
			var en fhir.BundleEntry
			if err := dec.Decode(&en); err != nil {
				t.Fatal(err)
			}
			var head struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			}
			if err := json.Unmarshal(en.Resource, &head); err != nil || head.ID == "" || *en.FullUrl != "urn:uuid:"+head.ID {
				t.Fatalf("entry %s: %v", en.Resource, err)
			}
			ids = append(ids, head.ID)
		}
		expect(']')
	}
	expect('}')
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("after the Bundle: %v", err)
	}
	if !seen["resourceType"] || !seen["type"] || seen["total"] {
		t.Fatalf("bundle keys %v", seen)
	}
	return ids
}

// faultyStore breaks an export: its walk fails after failAfter records
// (at once when 0), or its audit log refuses export entries.
type faultyStore struct {
	store.Store
	failAfter   int
	refuseAudit bool
	onRecord    func(i int) // called before each record is handed on
}

var errDiskRead = errors.New("read rec/x: input/output error")

func (f *faultyStore) WalkRecords(ctx context.Context, rf store.RecordFilter, fn func(store.StoredRecord) error) error {
	i := 0
	return f.Store.WalkRecords(ctx, rf, func(r store.StoredRecord) error {
		if f.onRecord != nil {
			f.onRecord(i)
		}
		if i == f.failAfter {
			return errDiskRead
		}
		i++
		return fn(r)
	})
}

func (f *faultyStore) Append(ctx context.Context, entries ...store.Audit) error {
	if f.refuseAudit && len(entries) == 1 && entries[0].Action == store.AuditExport {
		return fmt.Errorf("append audit: %w", store.ErrInsufficientStorage)
	}
	return f.Store.Append(ctx, entries...)
}

// faultyEnv is a server over a store that fails as told.
func faultyEnv(t *testing.T, fs *faultyStore) (*httptest.Server, *servertest.DataDir) {
	t.Helper()
	return faultyEnvOf(t, fs, 3000)
}

// faultyEnvOf is faultyEnv with n records.
func faultyEnvOf(t *testing.T, fs *faultyStore, n int) (*httptest.Server, *servertest.DataDir) {
	t.Helper()
	d := servertest.New(t)
	seedRecords(t, d.DB, n)
	fs.Store = d.DB
	srv := New(Config{OfflineFor: 8 * time.Hour, Location: d.Loc, Hasher: d.Hasher}, fs, d.Keys, nil)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs, d
}

func loginOn(t *testing.T, hs *httptest.Server, username string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", hs.URL+"/api/v1/session", strings.NewReader(`{"username":"`+username+`","password":"demo"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return lr.Token
}

// TestExportBrokenOff: a store that fails after the answer has started
// (here after 2,000 records, some hundred kilobytes sent) aborts the
// connection, so that the client's read fails instead of ending in a
// file that looks whole, and the audit log says the export is
// incomplete and how many records were sent. Before it fails, the error
// is a JSON error, and the audit says the export failed with none sent.
func TestExportBrokenOff(t *testing.T) {
	for _, format := range []string{"csv", "fhir"} {
		t.Run(format, func(t *testing.T) {
			hs, d := faultyEnv(t, &faultyStore{failAfter: 2000})
			tok := loginOn(t, hs, "kari")
			resp := getExport(t, context.Background(), hs, "/api/v1/export/"+format, tok)
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			raw, err := io.ReadAll(resp.Body)
			if err == nil {
				t.Fatalf("the broken export read as complete: %d bytes, ending %q", len(raw), raw[max(0, len(raw)-80):])
			}
			if len(raw) < exportChunk {
				t.Fatalf("only %d bytes before the abort: the failure came before the answer started", len(raw))
			}
			if a := exportAudit(t, d.DB); strings.Join(a, "; ") != format+" started; "+format+" incomplete 2000" {
				t.Fatalf("audit %v", a)
			}
		})
	}
	t.Run("before the first byte", func(t *testing.T) {
		hs, d := faultyEnv(t, &faultyStore{failAfter: 0})
		tok := loginOn(t, hs, "kari")
		resp := getExport(t, context.Background(), hs, "/api/v1/export/fhir", tok)
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 500 || errorCode(t, raw) != "internal" {
			t.Fatalf("%d %s %v", resp.StatusCode, raw, err)
		}
		if a := exportAudit(t, d.DB); strings.Join(a, "; ") != "fhir started; fhir failed 0" {
			t.Fatalf("audit %v", a)
		}
	})
}

// TestExportNotAudited: an export whose audit entry cannot be written is
// not made: the office gets the store's error and no record leaves.
func TestExportNotAudited(t *testing.T) {
	hs, _ := faultyEnv(t, &faultyStore{failAfter: -1, refuseAudit: true})
	tok := loginOn(t, hs, "kari")
	resp := getExport(t, context.Background(), hs, "/api/v1/export/csv", tok)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || errorCode(t, raw) != "insufficient_storage" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, raw)
	}
}

// TestExportClientGoesAway: a client that stops in the middle ends the
// walk (it does not run on for a million records), and the audit entry
// at the end is still written, though the request's context has ended.
func TestExportClientGoesAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var handed atomic.Int64
	// The walk waits at record 1500 until the client has gone: the
	// client goes only once its answer has begun (its first chunk is out
	// long before), so that what it sees is an export cut off, not a
	// request cancelled before any answer.
	reached, gone := make(chan struct{}), make(chan struct{})
	fs := &faultyStore{failAfter: -1, onRecord: func(i int) {
		handed.Store(int64(i + 1))
		if i == 1500 {
			close(reached)
			<-gone
		}
	}}
	// The records are read a few batches ahead of the rows sent
	// (export.Parallel), so the walk notices the client's leaving some
	// pages later, not at once: the store holds many more than that.
	const records = 10_000
	hs, d := faultyEnvOf(t, fs, records)
	tok := loginOn(t, hs, "kari")
	resp := getExport(t, ctx, hs, "/api/v1/export/csv", tok)
	<-reached
	cancel()
	close(gone)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// The handler notices the closed connection by itself; wait for its
	// last audit entry (a wait, not a timed assertion).
	var a []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if a = exportAudit(t, d.DB); len(a) == 2 {
			break
		}
	}
	if len(a) != 2 || a[0] != "csv started" || !strings.HasPrefix(a[1], "csv incomplete ") {
		t.Fatalf("audit %v", a)
	}
	h := handed.Load()
	if h >= records {
		t.Fatalf("the walk ran on to the end (%d records) for a client that had gone", h)
	}
	t.Logf("the walk stopped after %d of %d records", h, records)
}

var (
	exportRecordsN = flag.Int("export.records", 100000, "records in the store of BenchmarkExport")
	exportDir      = flag.String("export.dir", "", "a directory kept between runs of BenchmarkExport (seeded when empty), to measure without seeding each time")
)

// BenchmarkExport measures the export handler over a real Badger store
// of -export.records records (100,000 by default; the target is
// at 1,000,000), into a ResponseWriter that only counts bytes. It
// reports records/s (and per CPU-second of the process, for a machine
// shared with other work), bytes allocated per record (garbage,
// collected as it goes) and how far the live heap (as of each
// collection, sampled every 20 ms) rose above what it was before: that
// does not grow with the number of records (compare
// -export.records=100000 with 1000000).
//
//	go test -run XXX -bench Export -benchtime 1x ./server/ -export.records=1000000
func BenchmarkExport(b *testing.B) {
	dir := *exportDir
	if dir == "" {
		dir = b.TempDir()
	}
	k, err := keys.LoadKeysWithKey(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	loc, hasher := servertest.Oslo(b), servertest.Hasher()
	db, err := badger.Open(filepath.Join(dir, "db"), badger.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if n, err := db.CountRecords(context.Background()); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		if err := demo.Seed(context.Background(), db, hasher, time.Now(), loc); err != nil {
			b.Fatal(err)
		}
		seedRecords(b, db, *exportRecordsN)
	}
	// Reopened, as a desk's store is: its records in tables on disk, not
	// in memtables whose flushing would run during the measurement.
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	db = servertest.Open(b, filepath.Join(dir, "db"), badger.Options{})
	stored, err := db.CountRecords(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	srv := New(Config{OfflineFor: 8 * time.Hour, Location: loc, Hasher: hasher}, db, k, nil)
	h := srv.Handler()
	tok := benchToken(b, h, "kari")
	for _, format := range []string{"csv", "fhir"} {
		b.Run(format, func(b *testing.B) {
			// The heap's live bytes as of the last collection: garbage
			// made between collections is not memory the export keeps.
			live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			readLive := func() uint64 { metrics.Read(live); return live[0].Value.Uint64() }
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			runtime.GC()
			base := readLive()
			go func() {
				defer close(sampled)
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					if v := readLive(); v > peak.Load() {
						peak.Store(v)
					}
				}
			}()
			var before, after runtime.MemStats
			var ru0, ru1 syscall.Rusage
			runtime.ReadMemStats(&before)
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			b.ResetTimer()
			bytes := 0
			for i := 0; i < b.N; i++ {
				w := &countingWriter{header: http.Header{}}
				req := httptest.NewRequest("GET", "/api/v1/export/"+format, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				h.ServeHTTP(w, req)
				if w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
				bytes += w.n
			}
			b.StopTimer()
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			runtime.ReadMemStats(&after)
			close(stop)
			<-sampled
			records := float64(stored) * float64(b.N)
			cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
			// On a machine shared with other work, what the export would
			// do with the process's CPU to itself.
			b.ReportMetric(records/cpu.Seconds(), "records/cpu-s")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/records, "B-alloc/record")
			b.ReportMetric(float64(bytes)/records, "B-out/record")
			b.ReportMetric(float64(peak.Load()-min(peak.Load(), base))/(1<<20), "live-heap-growth-MiB")
		})
	}
}

// benchToken logs a demo user in through the handler.
func benchToken(b *testing.B, h http.Handler, username string) string {
	req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"`+username+`","password":"demo"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var lr struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &lr); err != nil || lr.Token == "" {
		b.Fatalf("login: %d %s", rec.Code, rec.Body.Bytes())
	}
	return lr.Token
}

// countingWriter is a ResponseWriter that keeps nothing but the count.
type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (c *countingWriter) Header() http.Header { return c.header }
func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = 200
	}
	c.n += len(p)
	return len(p), nil
}

// TestExportOutlastsWriteTimeout: the server's WriteTimeout bounds a
// whole answer, which a million-record export outlasts; each chunk gets
// its own deadline instead. Here the server allows 300 ms and the export
// takes three times that (its store pauses every 500 records), and still
// arrives whole.
func TestExportOutlastsWriteTimeout(t *testing.T) {
	fs := &faultyStore{failAfter: -1, onRecord: func(i int) {
		if i%500 == 499 {
			time.Sleep(150 * time.Millisecond)
		}
	}}
	d := servertest.New(t)
	seedRecords(t, d.DB, 3000)
	fs.Store = d.DB
	srv := New(Config{OfflineFor: 8 * time.Hour, Location: d.Loc, Hasher: d.Hasher}, fs, d.Keys, nil)
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.WriteTimeout = 300 * time.Millisecond
	hs.Start()
	defer hs.Close()
	tok := loginOn(t, hs, "kari")
	start := time.Now()
	resp := getExport(t, context.Background(), hs, "/api/v1/export/csv", tok)
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || len(rows) != 3001 {
		t.Fatalf("%d rows, %v: the write timeout cut the export off", len(rows), err)
	}
	// Six pauses of 150 ms: at least 900 ms, three times the timeout.
	if took := time.Since(start); took < 2*hs.Config.WriteTimeout {
		t.Fatalf("the export took %v, not longer than the write timeout: the test proves nothing", took)
	}
}

// sameRecords says whether got holds each id of want once, in any order.
func sameRecords(got, want []string) bool {
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}
