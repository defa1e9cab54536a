package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/bundle"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// BenchmarkShiftBundle builds, encodes and signs the bundle of a 20-visit
// shift as GET /api/v1/bundle does: the demo worker's unit (20 patients
// with full person cards, the rest of the unit's day, the doses, the
// routines and announcements), with the worker's day topped up to 20
// visits.
func BenchmarkShiftBundle(b *testing.B) {
	e := newSrvEnv(b)
	ctx := context.Background()
	user, err := e.db.AccountByUsername(ctx, "anna")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, e.loc)
	visits, err := e.db.VisitsByUnit(ctx, user.Units[0], day, day.AddDate(0, 0, 1))
	if err != nil {
		b.Fatal(err)
	}
	patients, err := e.db.PatientsByUnit(ctx, user.Units[0])
	if err != nil {
		b.Fatal(err)
	}
	own := 0
	for _, v := range visits {
		if v.WorkerID == user.ID {
			own++
		}
	}
	var extra []care.Visit
	for i := 0; own < bundleVisits; i++ {
		p := patients[i%len(patients)]
		extra = append(extra, care.Visit{ID: uuid.NewString(), PatientID: p.ID, WorkerID: user.ID, UnitID: user.Units[0],
			Start: day.Add(7*time.Hour + time.Duration(i)*25*time.Minute), DurationMinutes: 20,
			Tasks: []string{"Morgenstell", "Tilsyn", "Legemidler fra multidose"}})
		own++
	}
	if err := e.db.ApplyPlan(ctx, store.Plan{Visits: extra}); err != nil {
		b.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	cfg := bundle.Config{OfflineFor: 8 * time.Hour, Location: e.loc, IdleLockMinutes: 5}
	var size, gz int
	var got wire.Bundle
	for b.Loop() {
		bu, _, err := bundle.Build(ctx, e.db, user.User, uuid.NewString(), now, cfg)
		if err != nil {
			b.Fatal(err)
		}
		body, err := json.Marshal(bu)
		if err != nil {
			b.Fatal(err)
		}
		_ = ed25519.Sign(key, body)
		size, got = len(body), bu
	}
	mine := 0
	for _, v := range got.Visits {
		if got.Own(v) {
			mine++
		}
	}
	if mine != bundleVisits {
		b.Fatalf("the bundle holds %d of the worker's visits, want %d", mine, bundleVisits)
	}
	body, _ := json.Marshal(got)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	gz = buf.Len()
	b.ReportMetric(float64(size)/1000, "KB")
	b.ReportMetric(float64(gz)/1000, "KB-gzip")
	b.ReportMetric(float64(len(got.Patients)), "patients")
}

// BenchmarkRecordsList fills the store with 100,000 records (the demo's
// two units, all record types and states, received over a day) and then
// asks GET /api/v1/records as a coordinator would at the desk: the newest
// page, each filter alone and combined, deep pages through the cursor.
// It reports the 95th percentile of the answer times.
func BenchmarkRecordsList(b *testing.B) {
	e := newSrvEnv(b)
	ctx := context.Background()
	var dir wire.Directory
	kari := srvLogin(b, e, "kari")
	e.mustCall(b, "GET", "/api/v1/directory", kari, nil, &dir)
	var authors []wire.Person
	for _, u := range dir.Users {
		if u.Role == care.RoleWorker || u.Role == care.RoleNurse {
			authors = append(authors, u)
		}
	}
	rnd := rand.New(rand.NewPCG(8, 23))
	start := time.Now().Add(-24 * time.Hour).UTC()
	types := care.RecordTypes()
	for done := 0; done < listRecords; {
		batch := make([]store.StoredRecord, 0, 1000)
		for range 1000 {
			p := dir.Patients[rnd.IntN(len(dir.Patients))]
			a := authors[rnd.IntN(len(authors))]
			state := store.StateNew
			if r := rnd.IntN(10); r < 6 {
				state = store.StateEntered
			} else if r == 6 {
				state = store.StateVoid
			}
			recv := start.Add(time.Duration(done) * 860 * time.Millisecond)
			rec := care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: types[rnd.IntN(len(types))],
				DeviceID: a.ID, AuthorID: a.ID, PatientID: p.ID, Seq: uint64(done + 1),
				CreatedAt: recv.Add(-time.Duration(rnd.IntN(3600)) * time.Second), Text: noteText}
			if rec.Type == care.RecordMedication {
				rec.SignatureSVG = signaturePath // lists read every body
			}
			body, err := json.Marshal(rec)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, store.StoredRecord{ID: rec.ID, Type: rec.Type, DeviceID: a.ID, AuthorID: a.ID,
				PatientID: p.ID, UnitID: p.Unit, Seq: rec.Seq, CreatedAt: rec.CreatedAt, Received: recv,
				BodyHash: fmt.Sprintf("%064x", done), State: state, Body: body, Sig: make([]byte, 64)})
			done++
		}
		if err := e.db.PutRecords(ctx, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	queries := []url.Values{
		{},
		{"state": {"new"}},
		{"type": {"medication"}},
		{"type": {"deviation"}, "state": {"new"}},
		{"unit": {dir.Units[0].ID}},
		{"unit": {dir.Units[1].ID}, "type": {"note"}},
		{"patient": {dir.Patients[3].ID}},
		{"author": {authors[0].ID}},
		{"author": {authors[1].ID}, "state": {"new"}},
		{"since": {time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)}},
		{"limit": {"500"}},
	}
	var times []time.Duration
	for b.Loop() {
		for _, q := range queries {
			// The first page, then three pages deeper through the cursor.
			cursor := ""
			for range 4 {
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				var page wire.RecordsResponse
				t0 := time.Now()
				e.mustCall(b, "GET", "/api/v1/records?"+q.Encode(), kari, nil, &page)
				times = append(times, time.Since(t0))
				if len(page.Records) == 0 {
					b.Fatalf("no records for %v", q)
				}
				if cursor = page.Next; cursor == "" {
					break
				}
			}
			q.Del("cursor")
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	p := func(f float64) float64 { return float64(times[int(f*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
	b.ReportMetric(float64(slices.Max(times).Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(times)), "requests")
}

// signaturePath is a handwritten signature's SVG path data, about 4 KB.
var signaturePath = func() string {
	var b bytes.Buffer
	b.WriteString("M10 40")
	for i := range 500 {
		fmt.Fprintf(&b, " L%d %d", 10+i%300, 20+(i*7)%40)
	}
	return b.String()
}()

func srvLogin(tb testing.TB, e *srvEnv, username string) string {
	tb.Helper()
	var lr wire.LoginResponse
	e.mustCall(tb, "POST", "/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"}, &lr)
	return lr.Token
}
