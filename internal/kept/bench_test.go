package kept_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/kept"
	"beredskap/internal/store"
)

// memSource is a store held in memory, with only what the keeper reads:
// it measures the keeper alone, without the store's reads.
type memSource struct {
	store.Store
	recs     []store.StoredRecord // newest first, as ListRecords gives them
	patients map[string][]care.Patient
	doses    map[string][]care.ScheduledDose
	visits   map[string][]care.Visit
	seqs     map[string][]uint64
}

func (s *memSource) ListRecords(_ context.Context, f store.RecordFilter) ([]store.StoredRecord, string, error) {
	start := 0
	if f.Cursor != "" {
		start, _ = strconv.Atoi(f.Cursor)
	}
	end := min(start+f.Limit, len(s.recs))
	next := ""
	if end < len(s.recs) {
		next = strconv.Itoa(end)
	}
	return s.recs[start:end], next, nil
}

func (s *memSource) ScanRecords(_ context.Context, fn func(store.StoredRecord) error) error {
	for _, r := range s.recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *memSource) ScanPlan(_ context.Context, scan store.PlanScan) error {
	for _, u := range []string{"nord", "sor"} {
		for _, p := range s.patients[u] {
			if err := scan.Patient(p); err != nil {
				return err
			}
		}
	}
	for _, u := range []string{"nord", "sor"} {
		for _, v := range s.visits[u] {
			if err := scan.Visit(v); err != nil {
				return err
			}
		}
	}
	for _, u := range []string{"nord", "sor"} {
		for _, p := range s.patients[u] {
			for _, d := range s.doses[p.ID] {
				if err := scan.Dose(d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *memSource) CountRecords(context.Context) (int, error) { return len(s.recs), nil }

// Units are the two units the plan's patients belong to (the desk reads
// the plan of known units only).
func (s *memSource) Units(context.Context) ([]care.Unit, error) {
	return []care.Unit{{ID: "nord", Name: "Nord"}, {ID: "sor", Name: "Sør"}}, nil
}

func (s *memSource) FindingResolutions(context.Context) (map[string]store.FindingResolution, error) {
	return map[string]store.FindingResolution{}, nil
}

func (s *memSource) DeviceSeqIndex(_ context.Context, d string) ([]uint64, map[uint64][]string, error) {
	return s.seqs[d], nil, nil
}

func (s *memSource) IssuedBundle(_ context.Context, id string) (store.IssuedBundle, error) {
	return store.IssuedBundle{}, store.ErrNotFound
}

// newMemSource makes n records over a week for 10,000 patients and 2,000
// phones, with a plan of four doses and two visits a day per patient.
func newMemSource(n int) *memSource {
	s := &memSource{patients: map[string][]care.Patient{}, doses: map[string][]care.ScheduledDose{},
		visits: map[string][]care.Visit{}, seqs: map[string][]uint64{}}
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	const patients, phones = 10000, 2000
	for p := range patients {
		id, unit := fmt.Sprintf("p%05d", p), []string{"nord", "sor"}[p%2]
		s.patients[unit] = append(s.patients[unit], care.Patient{ID: id, UnitID: unit})
		for day := range 7 {
			for h := range 4 {
				s.doses[id] = append(s.doses[id], care.ScheduledDose{ID: fmt.Sprintf("d%05d-%d-%d", p, day, h), PatientID: id,
					Medication: "Paracet", Due: start.Add(time.Duration(day*24+8+h*4) * time.Hour)})
			}
			for v := range 2 {
				s.visits[unit] = append(s.visits[unit], care.Visit{ID: fmt.Sprintf("v%05d-%d-%d", p, day, v), PatientID: id, UnitID: unit,
					WorkerID: "w", Start: start.Add(time.Duration(day*24+9+v*6) * time.Hour), DurationMinutes: 30})
			}
		}
	}
	for i := range n {
		p := i % patients
		dev := fmt.Sprintf("dev%04d", i%phones)
		at := start.Add(time.Duration(i) * 7 * 24 * time.Hour / time.Duration(n))
		r := store.StoredRecord{ID: fmt.Sprintf("0192d3a4-0000-7000-8000-%012d", i), Type: care.RecordNote, DeviceID: dev,
			AuthorID: fmt.Sprintf("u%04d", i%phones), PatientID: fmt.Sprintf("p%05d", p), UnitID: []string{"nord", "sor"}[p%2],
			Seq: uint64(i/phones + 1), CreatedAt: at, Received: at.Add(time.Minute), State: store.StateNew}
		switch i % 10 {
		case 0, 1, 2, 3:
			dose := s.doses[r.PatientID][(i/patients)%28]
			given := dose.Due
			r.Type, r.ScheduleID, r.Medication, r.Status, r.AdministeredAt = care.RecordMedication, dose.ID, dose.Medication, care.DoseGiven, &given
		case 4, 5:
			r.Type, r.VisitID = care.RecordVisitStatus, fmt.Sprintf("v%05d-%d-%d", p, (i/patients)%7, (i/patients/7)%2)
		case 6:
			r.Type = care.RecordDeviation
		}
		if i%50 == 0 {
			r.Received = at.Add(9 * time.Hour) // late
		}
		if i%3 == 0 {
			r.State = store.StateEntered
		}
		s.recs = append(s.recs, r)
		s.seqs[dev] = append(s.seqs[dev], r.Seq)
	}
	slices.Reverse(s.recs)
	return s
}

// BenchmarkKeeper measures the keeper alone at 100,000 and 1,000,000
// records: building it, the heap it holds, and the dashboard and a
// findings page.
func BenchmarkKeeper(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			src := newMemSource(n)
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			k := kept.New(src, kept.Options{OfflineFor: 8 * time.Hour, Now: func() time.Time { return now }})
			t0 := time.Now()
			if _, err := k.Dashboard(context.Background(), nil, now.Add(-24*time.Hour), now); err != nil {
				b.Fatal(err)
			}
			build := time.Since(t0)
			runtime.GC()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			b.ResetTimer()
			var dash, page time.Duration
			for i := 0; i < b.N; i++ {
				t1 := time.Now()
				if _, err := k.Dashboard(context.Background(), []string{"nord"}, now.Add(-7*24*time.Hour), now); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if _, err := k.Findings(context.Background(), kept.Query{Units: []string{"nord"}, Since: now.Add(-7 * 24 * time.Hour), Until: now}); err != nil {
					b.Fatal(err)
				}
				dash += t2.Sub(t1)
				page += time.Since(t2)
			}
			b.ReportMetric(build.Seconds(), "build-s")
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
			b.ReportMetric(float64(dash.Milliseconds())/float64(b.N), "dashboard-ms")
			b.ReportMetric(float64(page.Milliseconds())/float64(b.N), "findings-ms")
			runtime.KeepAlive(src)
		})
	}
}
