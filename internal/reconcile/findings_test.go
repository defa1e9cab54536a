package reconcile

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// An outage from 08:00 to 15:00; anna's bundle was issued at 07:00 and
// valid for eight hours; findings are computed at 16:00.
var (
	day    = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	at     = func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	bundle = store.IssuedBundle{ID: "b1", UserID: "anna", IssuedAt: at(7, 0), ExpiresAt: at(15, 0)}
)

type scenario struct {
	in Input
	n  int
}

func newScenario() *scenario {
	return &scenario{in: Input{
		Since: at(8, 0), Until: at(15, 0), Now: at(16, 0), OfflineFor: 8 * time.Hour,
		Bundles:    map[string]store.IssuedBundle{"b1": bundle},
		DeviceSeqs: map[string][]uint64{},
		UnitOf:     map[string]string{"p1": "n", "p2": "n"},
	}}
}

// rec adds a record by anna's phone made at h:m and received at 15:30.
func (s *scenario) rec(typ care.RecordType, patient string, h, m int, f func(*store.StoredRecord)) string {
	s.n++
	r := store.StoredRecord{ID: fmt.Sprintf("r%02d", s.n), Type: typ, DeviceID: "dev1", AuthorID: "anna", PatientID: patient,
		UnitID: "n", Seq: uint64(s.n), CreatedAt: at(h, m), Received: at(15, 30), BundleID: "b1", State: store.StateNew}
	if f != nil {
		f(&r)
	}
	s.in.Records = append(s.in.Records, r)
	s.in.DeviceSeqs[r.DeviceID] = append(s.in.DeviceSeqs[r.DeviceID], r.Seq)
	return r.ID
}

func given(schedule, medication string, h, m int) func(*store.StoredRecord) {
	t := at(h, m)
	return func(r *store.StoredRecord) {
		r.ScheduleID, r.Medication, r.Status, r.AdministeredAt = schedule, medication, care.DoseGiven, &t
	}
}

func (s *scenario) dose(id, patient, visit, medication string, h, m int) {
	s.in.Doses = append(s.in.Doses, care.ScheduledDose{ID: id, PatientID: patient, VisitID: visit, Medication: medication, Dose: "1", Due: at(h, m)})
}

// doubleDose is a scheduled dose that needs a second signer.
func (s *scenario) doubleDose(id, patient, medication string, h, m int) {
	s.dose(id, patient, "", medication, h, m)
	s.in.Doses[len(s.in.Doses)-1].DoubleCheck = true
}

func (s *scenario) visit(id, patient string, h, m int) {
	s.in.Visits = append(s.in.Visits, care.Visit{ID: id, PatientID: patient, WorkerID: "anna", UnitID: "n", Start: at(h, m), DurationMinutes: 30})
}

// describe renders findings as "kind:ids" for comparison.
func describe(fs []wire.Finding) []string {
	var out []string
	for _, f := range fs {
		ids := append([]string{}, f.RecordIDs...)
		switch {
		case f.ScheduleID != "" && f.Kind == wire.FindingMissingAdministration:
			ids = append(ids, "dose:"+f.ScheduleID)
		case f.VisitID != "" && f.Kind == wire.FindingUndocumentedVisit:
			ids = append(ids, "visit:"+f.VisitID)
		case f.Kind == wire.FindingSequenceGap:
			ids = append(ids, fmt.Sprint(f.MissingSeqs))
		}
		out = append(out, f.Kind+":"+strings.Join(ids, ","))
	}
	sort.Strings(out)
	return out
}

func TestFindings(t *testing.T) {
	cases := []struct {
		name  string
		build func(s *scenario)
		want  []string
	}{
		{"a documented shift has no findings", func(s *scenario) {
			s.visit("v1", "p1", 9, 0)
			s.dose("d1", "p1", "v1", "Paracet", 9, 5)
			s.rec(care.RecordVisitStatus, "p1", 9, 0, func(r *store.StoredRecord) { r.VisitID, r.Status = "v1", care.VisitCompleted })
			s.rec(care.RecordMedication, "p1", 9, 6, given("d1", "Paracet", 9, 6))
		}, nil},
		{"a double-check dose given with a second signer on the giver's phone only", func(s *scenario) {
			s.doubleDose("d1", "p1", "Insulin Lantus", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, given("d1", "Insulin Lantus", 9, 2))
		}, []string{"cosigner_unverified:r01"}},
		{"a double-check dose given without a second signer", func(s *scenario) {
			s.doubleDose("d1", "p1", "Insulin Lantus", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) { given("d1", "Insulin Lantus", 9, 2)(r); r.Uncosigned = true })
		}, []string{"missing_cosignature:r01"}},
		{"an ordinary dose needs no second signer", func(s *scenario) {
			s.dose("d1", "p1", "", "Paracet", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) { given("d1", "Paracet", 9, 2)(r); r.Uncosigned = true })
		}, nil},
		{"a refused double-check dose needs no second signer", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oxynorm", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) {
				given("d1", "Oxynorm", 9, 2)(r)
				r.Status, r.Uncosigned = care.DoseRefused, true
			})
		}, nil},
		{"one scheduled dose given twice", func(s *scenario) {
			s.dose("d1", "p1", "", "Morfin", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, given("d1", "Morfin", 9, 2))
			s.rec(care.RecordMedication, "p1", 11, 30, given("d1", "Morfin", 11, 30))
		}, []string{"double_administration:r01,r02"}},
		{"the same medication twice in one window, once unscheduled", func(s *scenario) {
			s.dose("d1", "p1", "", "Insulin Humalog", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, given("d1", "Insulin Humalog", 9, 2))
			s.rec(care.RecordMedication, "p1", 9, 40, given("", "insulin  humalog", 9, 40))
		}, []string{"double_administration:r01,r02"}},
		{"the same medication hours apart is two doses", func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 9, 0, given("", "Paracet", 9, 0))
			s.rec(care.RecordMedication, "p1", 13, 0, given("", "Paracet", 13, 0))
		}, nil},
		{"other patients and other medications do not count", func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 9, 0, given("", "Paracet", 9, 0))
			s.rec(care.RecordMedication, "p2", 9, 5, given("", "Paracet", 9, 5))
			s.rec(care.RecordMedication, "p1", 9, 10, given("", "Furosemid", 9, 10))
		}, nil},
		{"refused then given is not twice", func(s *scenario) {
			s.dose("d1", "p1", "", "Paracet", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 0, func(r *store.StoredRecord) { given("d1", "Paracet", 9, 0)(r); r.Status = care.DoseRefused })
			s.rec(care.RecordMedication, "p1", 9, 30, given("d1", "Paracet", 9, 30))
		}, nil},
		{"a voided second signature is not twice", func(s *scenario) {
			s.dose("d1", "p1", "", "Paracet", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 0, given("d1", "Paracet", 9, 0))
			s.rec(care.RecordMedication, "p1", 9, 5, func(r *store.StoredRecord) { given("d1", "Paracet", 9, 5)(r); r.State = store.StateVoid })
		}, nil},
		{"a dose nobody documented", func(s *scenario) {
			s.dose("d1", "p1", "", "Eliquis", 10, 0)
		}, []string{"missing_administration:dose:d1"}},
		{"a dose documented as withheld is not missing", func(s *scenario) {
			s.dose("d1", "p1", "", "Eliquis", 10, 0)
			s.rec(care.RecordMedication, "p1", 10, 0, func(r *store.StoredRecord) { given("d1", "Eliquis", 10, 0)(r); r.Status = care.DoseWithheld })
		}, nil},
		{"doses outside the outage or not yet due", func(s *scenario) {
			s.dose("early", "p1", "", "A", 7, 0)
			s.dose("late", "p1", "", "B", 15, 30)
			s.in.Until, s.in.Now = at(16, 0), at(15, 45) // dose at 15:30 is still within its hour
		}, nil},
		{"a visit with neither status nor note", func(s *scenario) {
			s.visit("v1", "p1", 9, 0)
			s.visit("v2", "p2", 10, 0)
			s.rec(care.RecordNote, "p2", 10, 10, func(r *store.StoredRecord) { r.VisitID = "v2" })
		}, []string{"undocumented_visit:visit:v1"}},
		{"a medication record alone does not document a visit", func(s *scenario) {
			s.visit("v1", "p1", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 5, func(r *store.StoredRecord) { given("", "Paracet", 9, 5)(r); r.VisitID = "v1" })
		}, []string{"undocumented_visit:visit:v1"}},
		{"a visit not yet over is not undocumented", func(s *scenario) {
			s.visit("v1", "p1", 15, 50)
			s.in.Until = at(16, 0)
		}, nil},
		{"device time before the bundle was issued", func(s *scenario) {
			s.rec(care.RecordNote, "p1", 6, 30, func(r *store.StoredRecord) { r.Received = at(8, 0) })
		}, []string{"outside_window:r01"}},
		{"device time after the bundle expired", func(s *scenario) {
			s.rec(care.RecordNote, "p1", 15, 10, nil)
		}, []string{"outside_window:r01"}},
		{"emergency access names what followed", func(s *scenario) {
			s.rec(care.RecordAccess, "p2", 11, 0, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordNote, "p2", 11, 10, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordNote, "p1", 11, 20, nil)
		}, []string{"emergency_access:r01,r02"}},
		{"emergency access with several records is one finding", func(s *scenario) {
			s.rec(care.RecordNote, "p2", 10, 50, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordAccess, "p2", 11, 0, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordMedication, "p2", 11, 10, func(r *store.StoredRecord) { given("", "Paracet", 11, 10)(r); r.Emergency = true })
		}, []string{"emergency_access:r01,r02,r03"}},
		{"an emergency record with no access record is still reported", func(s *scenario) {
			s.rec(care.RecordNote, "p2", 11, 10, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordNote, "p1", 11, 20, nil)
		}, []string{"emergency_access:r01"}},
		{"emergency records with no access record, one finding per patient", func(s *scenario) {
			s.rec(care.RecordNote, "p2", 11, 10, func(r *store.StoredRecord) { r.Emergency = true })
			s.rec(care.RecordMedication, "p2", 11, 15, func(r *store.StoredRecord) { given("", "Paracet", 11, 15)(r); r.Emergency = true })
			s.rec(care.RecordNote, "p1", 11, 20, func(r *store.StoredRecord) { r.Emergency = true })
		}, []string{"emergency_access:r01,r02", "emergency_access:r03"}},
		{"another author's access record does not cover an emergency record", func(s *scenario) {
			s.rec(care.RecordAccess, "p2", 11, 0, func(r *store.StoredRecord) { r.Emergency, r.AuthorID = true, "bo" })
			s.rec(care.RecordNote, "p2", 11, 10, func(r *store.StoredRecord) { r.Emergency = true })
		}, []string{"emergency_access:r01", "emergency_access:r02"}},
		{"an emergency record whose access record was voided is still reported", func(s *scenario) {
			s.rec(care.RecordAccess, "p2", 11, 0, func(r *store.StoredRecord) { r.Emergency, r.State = true, store.StateVoid })
			s.rec(care.RecordNote, "p2", 11, 10, func(r *store.StoredRecord) { r.Emergency = true })
		}, []string{"emergency_access:r02"}},
		{"received more than the offline hours after it was made", func(s *scenario) {
			s.rec(care.RecordNote, "p1", 8, 30, func(r *store.StoredRecord) { r.Received = at(17, 0) })
		}, []string{"late_sync:r01"}},
		{"a record lost on the phone leaves a gap", func(s *scenario) {
			s.rec(care.RecordNote, "p1", 9, 0, nil)
			s.rec(care.RecordNote, "p1", 9, 10, func(r *store.StoredRecord) { r.Seq = 4 })
			s.in.DeviceSeqs["dev1"] = []uint64{1, 4}
		}, []string{"sequence_gap:[2 3]"}},
		{"a revoked phone's signature is held, and the dose still counts as missing", func(s *scenario) {
			s.dose("d1", "p1", "", "Morfin", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 0, func(r *store.StoredRecord) { given("d1", "Morfin", 9, 0)(r); r.Quarantined = true })
		}, []string{"missing_administration:dose:d1", "quarantined:r01"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario()
			c.build(s)
			got := describe(Compute(s.in))
			sort.Strings(c.want)
			if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
				t.Fatalf("findings\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestFindingIDsAreStable(t *testing.T) {
	s := newScenario()
	s.dose("d1", "p1", "", "Morfin", 9, 0)
	s.rec(care.RecordMedication, "p1", 9, 2, given("d1", "Morfin", 9, 2))
	s.rec(care.RecordMedication, "p1", 9, 30, given("d1", "Morfin", 9, 30))
	a, b := Compute(s.in), Compute(s.in)
	if len(a) != 1 || a[0].ID != b[0].ID || a[0].PatientID != "p1" || a[0].UnitID != "n" || a[0].Message == "" {
		t.Fatalf("%+v", a)
	}
}

func TestSequenceGaps(t *testing.T) {
	odd := func(n int) []uint64 { // 1, 3, 5, …: every even number up to 2n is missing
		var v []uint64
		for i := 0; i <= n; i++ {
			v = append(v, uint64(2*i+1))
		}
		return v
	}
	cases := []struct {
		name    string
		seqs    []uint64
		listed  int    // len(MissingSeqs); 0 means no finding
		first   uint64 // MissingSeqs[0]
		last    uint64 // MissingSeqs[len-1]
		message string // a part of the message
	}{
		{"no gaps", []uint64{1, 2, 3, 4}, 0, 0, 0, ""},
		{"no gaps, out of order and repeated", []uint64{3, 1, 2, 2, 3}, 0, 0, 0, ""},
		{"nothing sent", nil, 0, 0, 0, ""},
		{"the first record lost", []uint64{2, 3}, 1, 1, 1, "never sent record numbers 1"},
		{"one run", []uint64{1, 5, 6}, 3, 2, 4, "never sent record numbers 2–4"},
		{"a gap from 3 to 1<<40", []uint64{1, 2, 1<<40 + 1}, maxListedSeqs, 3, 1002,
			fmt.Sprintf("never sent record numbers 3–%d (%d numbers in all)", uint64(1)<<40, uint64(1)<<40-2)},
		{"a gap up to the largest number", []uint64{1, math.MaxUint64, math.MaxUint64}, maxListedSeqs, 2, 1001,
			fmt.Sprintf("never sent record numbers 2–%d (%d numbers in all)", uint64(math.MaxUint64-1), uint64(math.MaxUint64-2))},
		{"many small gaps, all listed", odd(maxListedSeqs), maxListedSeqs, 2, 2 * maxListedSeqs,
			"198, 200 and 900 more gaps (1000 numbers in all)"},
		{"many small gaps, more than are listed", odd(5000), maxListedSeqs, 2, 2 * maxListedSeqs, "and 4900 more gaps (5000 numbers in all)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs := []store.StoredRecord{{ID: "r1", DeviceID: "dev1", AuthorID: "anna", UnitID: "n", CreatedAt: at(9, 0)}}
			fs := sequenceGaps(recs, map[string][]uint64{"dev1": c.seqs})
			if c.listed == 0 {
				if len(fs) != 0 {
					t.Fatalf("want no finding, got %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %d", len(fs))
			}
			f := fs[0]
			if f.Kind != wire.FindingSequenceGap || f.DeviceID != "dev1" || f.UnitID != "n" || !f.At.Equal(at(9, 0)) || f.RecordIDs == nil {
				t.Fatalf("finding %+v", f)
			}
			if len(f.MissingSeqs) != c.listed || f.MissingSeqs[0] != c.first || f.MissingSeqs[len(f.MissingSeqs)-1] != c.last {
				t.Fatalf("missing_seqs: %d numbers from %d to %d, want %d from %d to %d", len(f.MissingSeqs),
					f.MissingSeqs[0], f.MissingSeqs[len(f.MissingSeqs)-1], c.listed, c.first, c.last)
			}
			if !strings.Contains(f.Message, c.message) {
				t.Fatalf("message %q, want it to hold %q", f.Message, c.message)
			}
		})
	}
}

// A gap small enough to be listed whole keeps the id it always had, so
// that a coordinator's resolution of it still applies.
func TestSequenceGapIDIsUnchanged(t *testing.T) {
	recs := []store.StoredRecord{{ID: "r1", DeviceID: "dev1", AuthorID: "anna", CreatedAt: at(9, 0)}}
	fs := sequenceGaps(recs, map[string][]uint64{"dev1": {1, 4, 6}})
	if want := findingID(wire.FindingSequenceGap, "dev1", "2", "3", "5"); len(fs) != 1 || fs[0].ID != want {
		t.Fatalf("%+v, want id %s", fs, want)
	}
	big := sequenceGaps(recs, map[string][]uint64{"dev1": {1, 1 << 40}})
	bigger := sequenceGaps(recs, map[string][]uint64{"dev1": {1, 1<<40 + 1}})
	if len(big) != 1 || len(bigger) != 1 || big[0].ID == bigger[0].ID || big[0].ID == fs[0].ID {
		t.Fatal("a different gap must make a different finding")
	}
}

func TestDuplicateSeqs(t *testing.T) {
	rec := func(id, device string, seq uint64, h int, f func(*store.StoredRecord)) store.StoredRecord {
		r := store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: device, AuthorID: "anna", PatientID: "p1", UnitID: "n",
			Seq: seq, CreatedAt: at(h, 0), State: store.StateNew}
		if f != nil {
			f(&r)
		}
		return r
	}
	void := func(r *store.StoredRecord) { r.State = store.StateVoid }
	cases := []struct {
		name   string
		recs   []store.StoredRecord
		shared map[string]map[uint64][]string
		want   []string // "device/seq:ids" per finding
	}{
		{"every number once", []store.StoredRecord{rec("r1", "dev1", 1, 9, nil), rec("r2", "dev1", 2, 10, nil)}, nil, nil},
		{"two records with one number", []store.StoredRecord{rec("r1", "dev1", 3, 9, nil), rec("r2", "dev1", 3, 10, nil)},
			map[string]map[uint64][]string{"dev1": {3: {"r2", "r1"}}}, []string{"dev1/3:r1,r2"}},
		{"three records, one of them voided", []store.StoredRecord{rec("r1", "dev1", 3, 9, nil), rec("r2", "dev1", 3, 10, void), rec("r3", "dev1", 3, 11, nil)},
			map[string]map[uint64][]string{"dev1": {3: {"r1", "r2", "r3"}}}, []string{"dev1/3:r1,r2,r3"}},
		{"two numbers shared on one device", []store.StoredRecord{rec("r1", "dev1", 3, 9, nil), rec("r2", "dev1", 3, 10, nil),
			rec("r3", "dev1", 7, 11, nil), rec("r4", "dev1", 7, 12, nil)},
			map[string]map[uint64][]string{"dev1": {7: {"r3", "r4"}, 3: {"r1", "r2"}}}, []string{"dev1/3:r1,r2", "dev1/7:r3,r4"}},
		{"the same number on two devices is no finding", []store.StoredRecord{rec("r1", "dev1", 3, 9, nil), rec("r2", "dev2", 3, 10, nil)},
			nil, nil},
		{"the other record outside the scope", []store.StoredRecord{rec("r1", "dev1", 3, 9, nil)},
			map[string]map[uint64][]string{"dev1": {3: {"r1", "r9"}}}, []string{"dev1/3:r1"}},
		{"no record of the scope shares it", []store.StoredRecord{rec("r1", "dev1", 4, 9, nil)},
			map[string]map[uint64][]string{"dev1": {3: {"r8", "r9"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := duplicateSeqs(c.recs, c.shared)
			var got []string
			for _, f := range fs {
				var seq uint64
				var first time.Time
				for _, r := range c.recs {
					if slices.Contains(f.RecordIDs, r.ID) {
						seq = r.Seq
						if first.IsZero() || r.CreatedAt.Before(first) {
							first = r.CreatedAt
						}
					}
				}
				if f.Kind != wire.FindingDuplicateSeq || f.UnitID != "n" || f.PatientID != "p1" || !f.At.Equal(first) {
					t.Fatalf("finding %+v", f)
				}
				if !strings.Contains(f.Message, fmt.Sprintf("numbered %d", seq)) {
					t.Fatalf("message %q", f.Message)
				}
				got = append(got, fmt.Sprintf("%s/%d:%s", f.DeviceID, seq, strings.Join(f.RecordIDs, ",")))
			}
			if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	// A coordinator who sees one of the records and one who sees both
	// resolve the same finding; a third record makes a new one.
	both := duplicateSeqs([]store.StoredRecord{rec("r1", "dev1", 3, 9, nil), rec("r2", "dev1", 3, 10, nil)},
		map[string]map[uint64][]string{"dev1": {3: {"r1", "r2"}}})
	one := duplicateSeqs([]store.StoredRecord{rec("r1", "dev1", 3, 9, nil)}, map[string]map[uint64][]string{"dev1": {3: {"r1", "r2"}}})
	three := duplicateSeqs([]store.StoredRecord{rec("r1", "dev1", 3, 9, nil)}, map[string]map[uint64][]string{"dev1": {3: {"r1", "r2", "r3"}}})
	if len(both) != 1 || len(one) != 1 || len(three) != 1 || both[0].ID != one[0].ID || three[0].ID == both[0].ID {
		t.Fatalf("ids: both %v, one %v, three %v", both, one, three)
	}
	// Compute reports it beside everything else.
	s := newScenario()
	s.rec(care.RecordNote, "p1", 9, 0, nil)
	s.rec(care.RecordNote, "p1", 9, 10, func(r *store.StoredRecord) { r.Seq = 1 })
	s.in.DeviceSeqs["dev1"] = []uint64{1, 1}
	s.in.SharedSeqs = map[string]map[uint64][]string{"dev1": {1: {"r01", "r02"}}}
	if got := describe(Compute(s.in)); strings.Join(got, " ") != "duplicate_seq:r01,r02" {
		t.Fatalf("findings %v", got)
	}
}
