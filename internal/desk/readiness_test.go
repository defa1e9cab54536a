package desk

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

// oslo is a wall-clock time in Europe/Oslo. Summer time began on
// 29 March 2026 at 02:00 (clocks to 03:00).
func oslo(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, servertest.Oslo(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDefaultReadinessUntil(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-03-10 14:00", "2026-03-11 07:00"},
		{"2026-03-10 07:00", "2026-03-11 07:00"},
		{"2026-03-10 06:59", "2026-03-10 07:00"},
		{"2026-03-11 00:30", "2026-03-11 07:00"},
		// The night summer time begins is an hour short: 07:00 CEST is 05:00 UTC.
		{"2026-03-28 22:00", "2026-03-29 07:00"},
		{"2026-10-24 23:00", "2026-10-25 07:00"},
	} {
		got := DefaultReadinessUntil(oslo(t, tc.now), servertest.Oslo(t))
		if want := oslo(t, tc.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("at %s: %s, want %s in UTC", tc.now, got, want.UTC())
		}
	}
	if got := DefaultReadinessUntil(oslo(t, "2026-03-28 22:00"), servertest.Oslo(t)); !got.Equal(time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("DST night: %s", got)
	}
}

type visitAt struct {
	id, worker, patient, start string
	minutes                    int
}

type issued struct {
	worker, device  string
	issued, expires string
	own, unit       []string
}

func TestReadiness(t *testing.T) {
	for _, tc := range []struct {
		name       string
		now        string
		until      string // empty: the default
		visits     []visitAt
		bundles    []issued
		revoked    []string // devices
		uncovered  []string // visit ids
		expiring   []string // workers
		notFetched []string // workers
		// notReminded are listed workers a fetch now would not help.
		notReminded []string
	}{
		{
			name:    "a visit covered",
			now:     "2026-03-10 14:00",
			visits:  []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}},
			bundles: []issued{{"w1", "d1", "2026-03-10 08:00", "2026-03-10 16:00", []string{"p1"}, nil}},
		},
		{
			name:      "a visit past the bundle's expiry",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 14:00", 30}, {"v2", "w1", "p2", "2026-03-10 16:00", 30}},
			bundles:   []issued{{"w1", "d1", "2026-03-10 07:00", "2026-03-10 15:00", []string{"p1", "p2"}, nil}},
			uncovered: []string{"v2"}, expiring: []string{"w1"},
		},
		{
			name:      "a visit that starts before the expiry and ends after it is held, the shift listed",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 14:45", 30}},
			bundles:   []issued{{"w1", "d1", "2026-03-10 07:00", "2026-03-10 15:00", []string{"p1"}, nil}},
			expiring:  []string{"w1"},
			uncovered: nil,
		},
		{
			name:      "a worker with no bundle",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}, {"v2", "w1", "p1", "2026-03-10 20:00", 30}},
			uncovered: []string{"v1", "v2"}, notFetched: []string{"w1"},
		},
		{
			name:      "a revoked device's bundle does not count",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}},
			bundles:   []issued{{"w1", "d1", "2026-03-10 08:00", "2026-03-10 16:00", []string{"p1"}, nil}},
			revoked:   []string{"d1"},
			uncovered: []string{"v1"}, notFetched: []string{"w1"},
		},
		{
			name:      "an expired bundle does not count, the fetch does",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}},
			bundles:   []issued{{"w1", "d1", "2026-03-10 05:00", "2026-03-10 13:00", []string{"p1"}, nil}},
			uncovered: []string{"v1"},
		},
		{
			name:      "another worker's unit part does not hold a visit",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}, {"v2", "w2", "p2", "2026-03-10 15:00", 60}},
			bundles:   []issued{{"w2", "d2", "2026-03-10 08:00", "2026-03-10 16:00", []string{"p2"}, []string{"p1"}}},
			uncovered: []string{"v1"}, notFetched: []string{"w1"},
		},
		{
			name:      "a patient the bundle did not carry on the own list (the plan changed after the fetch)",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 15:00", 60}},
			bundles:   []issued{{"w1", "d1", "2026-03-10 08:00", "2026-03-10 16:00", []string{"p2"}, []string{"p1"}}},
			uncovered: []string{"v1"},
		},
		{
			name:   "a visit already over is outside the window",
			now:    "2026-03-10 14:00",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-10 10:00", 60}},
		},
		{
			name:      "a visit under way is inside it",
			now:       "2026-03-10 14:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 13:30", 60}},
			uncovered: []string{"v1"}, notFetched: []string{"w1"},
		},
		{
			name:   "a visit after the window is left out",
			now:    "2026-03-10 14:00",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-11 08:00", 60}},
		},
		{
			name:   "an explicit until takes it in",
			now:    "2026-03-10 14:00",
			until:  "2026-03-11 12:00",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-11 08:00", 60}},
			// Today's shift carries visits to midnight (or its expiry): not tomorrow's.
			bundles:   []issued{{"w1", "d1", "2026-03-10 08:00", "2026-03-10 16:00", []string{"p1"}, nil}},
			uncovered: []string{"v1"}, expiring: []string{"w1"},
		},
		{
			name: "night visits after midnight, fetched before it",
			now:  "2026-03-10 23:30",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-10 23:45", 30},
				{"v2", "w1", "p2", "2026-03-11 01:00", 30}, {"v3", "w1", "p1", "2026-03-11 05:00", 30}},
			bundles: []issued{{"w1", "d1", "2026-03-10 22:00", "2026-03-11 06:00", []string{"p1", "p2"}, nil}},
		},
		{
			name:    "after midnight a valid shift from the evening counts as fetched",
			now:     "2026-03-11 00:30",
			visits:  []visitAt{{"v2", "w1", "p2", "2026-03-11 01:00", 30}},
			bundles: []issued{{"w1", "d1", "2026-03-10 22:00", "2026-03-11 06:00", []string{"p2"}, nil}},
		},
		{
			name:   "a bundle issued after a visit's day began does not carry the visit of the day before",
			now:    "2026-03-11 00:10",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-10 23:50", 60}},
			// Fetched at 00:05: it carries visits from 00:00 on.
			bundles:   []issued{{"w1", "d1", "2026-03-11 00:05", "2026-03-11 08:05", []string{"p1"}, nil}},
			uncovered: []string{"v1"},
		},
		{
			// 22:00 CET + 8 h is 07:00 CEST, not 06:00: the visit at 06:15 is held.
			name:    "DST: the night summer time begins",
			now:     "2026-03-28 23:00",
			visits:  []visitAt{{"v1", "w1", "p1", "2026-03-29 01:30", 30}, {"v2", "w1", "p1", "2026-03-29 06:15", 30}},
			bundles: []issued{{"w1", "d1", "2026-03-28 22:00", "2026-03-29 07:00", []string{"p1"}, nil}},
		},
		{
			// 22:00 CEST + 8 h is 05:00 CET: the visit at 05:30 is not held.
			name:      "DST: the night summer time ends",
			now:       "2026-10-24 23:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-10-25 01:30", 30}, {"v2", "w1", "p1", "2026-10-25 05:30", 30}},
			bundles:   []issued{{"w1", "d1", "2026-10-24 22:00", "2026-10-25 05:00", []string{"p1"}, nil}},
			uncovered: []string{"v2"}, expiring: []string{"w1"},
		},
		{
			name:      "tomorrow's visits: listed, not reminded (a shift fetched now expires before them)",
			now:       "2026-03-10 14:00",
			until:     "2026-03-11 12:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-11 08:00", 60}},
			uncovered: []string{"v1"}, notFetched: []string{"w1"}, notReminded: []string{"w1"},
		},
		{
			name:      "an evening shift seen in the morning: listed, not reminded",
			now:       "2026-03-10 08:00",
			visits:    []visitAt{{"v1", "w1", "p1", "2026-03-10 18:00", 60}, {"v2", "w2", "p2", "2026-03-10 09:00", 30}},
			uncovered: []string{"v2", "v1"}, notFetched: []string{"w2", "w1"}, notReminded: []string{"w1"},
		},
		{
			name:   "the longest of two valid shifts is the one that counts",
			now:    "2026-03-10 14:00",
			visits: []visitAt{{"v1", "w1", "p1", "2026-03-10 17:00", 30}},
			bundles: []issued{{"w1", "d1", "2026-03-10 07:00", "2026-03-10 15:00", []string{"p1"}, nil},
				{"w1", "d2", "2026-03-10 10:00", "2026-03-10 18:00", []string{"p1"}, nil}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			loc := servertest.Oslo(t)
			db := servertest.Open(t, filepath.Join(t.TempDir(), "db"), badger.Options{})
			plan := store.Plan{Units: []care.Unit{{ID: "Nord", Name: "Nord"}, {ID: "Sør", Name: "Sør"}}}
			for _, p := range []string{"p1", "p2"} {
				plan.Patients = append(plan.Patients, care.Patient{ID: p, Name: "Pasient " + p, UnitID: "Nord", Address: "Gate 1"})
			}
			for _, v := range tc.visits {
				plan.Visits = append(plan.Visits, care.Visit{ID: v.id, PatientID: v.patient, WorkerID: v.worker, UnitID: "Nord",
					Start: oslo(t, v.start).UTC(), DurationMinutes: v.minutes})
			}
			// A visit in another unit never shows.
			plan.Patients = append(plan.Patients, care.Patient{ID: "p9", Name: "Pasient 9", UnitID: "Sør", Address: "Gate 9"})
			plan.Visits = append(plan.Visits, care.Visit{ID: "v9", PatientID: "p9", WorkerID: "w9", UnitID: "Sør",
				Start: oslo(t, tc.now).Add(time.Hour).UTC(), DurationMinutes: 30})
			if err := db.ApplyPlan(ctx, plan); err != nil {
				t.Fatal(err)
			}
			for i, b := range tc.bundles {
				if _, err := db.Device(ctx, b.device); err != nil {
					if err := db.PutDevice(ctx, store.Device{ID: b.device, UserID: b.worker, PublicKey: make([]byte, 32), Created: oslo(t, b.issued)}); err != nil {
						t.Fatal(err)
					}
				}
				ib := store.IssuedBundle{ID: "b" + string(rune('0'+i)), UserID: b.worker, DeviceID: b.device,
					IssuedAt: oslo(t, b.issued).UTC(), ExpiresAt: oslo(t, b.expires).UTC(), OwnPatients: b.own, UnitPatients: b.unit}
				if err := db.PutIssuedBundle(ctx, ib); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range tc.revoked {
				if _, err := db.RevokeDevice(ctx, d, "admin", oslo(t, tc.now)); err != nil {
					t.Fatal(err)
				}
			}
			now := oslo(t, tc.now)
			until := DefaultReadinessUntil(now, loc)
			if tc.until != "" {
				until = oslo(t, tc.until)
			}
			got, err := Readiness(ctx, db, ReadinessInput{Units: []string{"Nord"}, Now: now, Until: until, Location: loc,
				OfflineFor: 8 * time.Hour, Users: map[string]string{"w1": "Anna"}, Patients: map[string]string{"p1": "Pasient p1"}})
			if err != nil {
				t.Fatal(err)
			}
			var unc, exp, nf, rem []string
			for _, v := range got.Uncovered {
				unc = append(unc, v.VisitID)
			}
			for _, s := range got.Expiring {
				exp = append(exp, s.WorkerID)
			}
			for _, w := range got.NotFetched {
				nf = append(nf, w.WorkerID)
			}
			for _, p := range got.Remind {
				rem = append(rem, p.ID)
			}
			if !slices.Equal(unc, tc.uncovered) {
				t.Errorf("uncovered %v, want %v", unc, tc.uncovered)
			}
			if !slices.Equal(exp, tc.expiring) {
				t.Errorf("expiring %v, want %v", exp, tc.expiring)
			}
			if !slices.Equal(nf, tc.notFetched) {
				t.Errorf("not fetched %v, want %v", nf, tc.notFetched)
			}
			want := map[string]bool{}
			for _, l := range [][]string{tc.uncovered, tc.expiring, tc.notFetched} {
				for _, x := range l {
					if len(x) > 0 && x[0] == 'v' {
						x = workerOf(tc.visits, x)
					}
					want[x] = true
				}
			}
			for _, x := range tc.notReminded {
				delete(want, x)
			}
			if len(rem) != len(want) {
				t.Errorf("remind %v, want %v", rem, want)
			}
			for _, r := range rem {
				if !want[r] {
					t.Errorf("remind %v, want %v", rem, want)
				}
			}
			if got.Counts.Uncovered != len(unc) || got.Counts.Expiring != len(exp) || got.Counts.NotFetched != len(nf) || got.Counts.Remind != len(rem) {
				t.Errorf("counts %+v do not match the lists", got.Counts)
			}
			for _, v := range got.Uncovered {
				if v.WorkerID == "w1" && (v.WorkerName != "Anna" || (v.PatientID == "p1" && v.PatientName != "Pasient p1")) {
					t.Errorf("names missing: %+v", v)
				}
			}
		})
	}
}

func workerOf(vs []visitAt, id string) string {
	for _, v := range vs {
		if v.id == id {
			return v.worker
		}
	}
	return ""
}
