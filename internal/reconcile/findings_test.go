package reconcile

import (
	"fmt"
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

func status(st string) func(*store.StoredRecord) {
	return func(r *store.StoredRecord) { r.Status = st }
}

func (s *scenario) dose(id, patient, visit, medication string, h, m int) {
	s.in.Doses = append(s.in.Doses, care.ScheduledDose{ID: id, PatientID: patient, VisitID: visit, Medication: medication, Dose: "1", Due: at(h, m)})
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
