package reconcile

import (
	"sort"
	"strings"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// cosignScenario: kari, a nurse of the unit, holds a shift bundle (b2)
// listing p1 in her unit part, valid 07:00–15:00.
func cosignScenario() *scenario {
	s := newScenario()
	s.in.Bundles["b2"] = store.IssuedBundle{ID: "b2", UserID: "kari", IssuedAt: at(7, 0), ExpiresAt: at(15, 0), UnitPatients: []string{"p1", "p2"}}
	s.in.Bundles["b3"] = store.IssuedBundle{ID: "b3", UserID: "kari", IssuedAt: at(12, 0), ExpiresAt: at(20, 0), UnitPatients: []string{"p1"}}
	s.in.Bundles["b4"] = store.IssuedBundle{ID: "b4", UserID: "ola", IssuedAt: at(7, 0), ExpiresAt: at(15, 0), OwnPatients: []string{"p9"}}
	s.in.PRN = map[string][]care.PRNMedication{"p1": {{ID: "prn1", Medication: "Morfin", Dose: "5 mg", Indications: []string{"Smerte"}, MaxPer24h: 6, Controlled: true},
		{ID: "prn2", Medication: "Paracet", Dose: "1 g", Indications: []string{"Smerte"}, MaxPer24h: 4}}}
	return s
}

// waiting is a dose given at 9:02 whose phone showed the code.
func waiting(schedule, code string) func(*store.StoredRecord) {
	return func(r *store.StoredRecord) {
		given(schedule, "Oksykodon", 9, 2)(r)
		r.Uncosigned, r.CosignCode = true, code
	}
}

// cosign is a cosign record by kari's phone, with her role and bundle.
func cosign(schedule, code string, edit func(*store.StoredRecord)) func(*store.StoredRecord) {
	return func(r *store.StoredRecord) {
		r.ScheduleID, r.CosignCode, r.AuthorID, r.DeviceID, r.BundleID, r.AuthorRole = schedule, code, "kari", "dev2", "b2", string(care.RoleNurse)
		if edit != nil {
			edit(r)
		}
	}
}

func TestCosignFindings(t *testing.T) {
	const code = "ABCD2345"
	cases := []struct {
		name  string
		build func(s *scenario)
		want  []string
	}{
		{"co-signed on her own phone", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, nil))
		}, nil},
		{"the cosign arrived first", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, nil))
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
		}, nil},
		{"a controlled drug co-signed", func(s *scenario) {
			s.dose("d1", "p1", "", "Oksykodon", 9, 0)
			s.in.Doses[0].Controlled = true
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, nil))
		}, nil},
		{"a controlled drug not co-signed at all", func(s *scenario) {
			s.dose("d1", "p1", "", "Oksykodon", 9, 0)
			s.in.Doses[0].Controlled = true
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) { given("d1", "Oksykodon", 9, 2)(r); r.Uncosigned = true })
		}, []string{"missing_cosignature:r01"}},
		{"the code shown, nobody co-signed", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
		}, []string{"missing_cosignature:r01"}},
		{"a name and drawing on the giver's phone", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, given("d1", "Oksykodon", 9, 2))
		}, []string{"cosigner_unverified:r01"}},
		{"a worker co-signed", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, func(r *store.StoredRecord) { r.AuthorRole = string(care.RoleWorker) }))
		}, []string{"cosigner_unverified:r01,r02"}},
		{"a nurse with no shift of hers listing the patient co-signed", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, func(r *store.StoredRecord) { r.AuthorID, r.BundleID = "ola", "b2" }))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, func(r *store.StoredRecord) { r.AuthorID, r.BundleID = "ola", "" }))
		}, []string{"cosigner_unverified:r01,r02,r03"}},
		{"her shift began after the dose", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 12, 30, cosign("d1", code, func(r *store.StoredRecord) { r.BundleID = "b3" }))
		}, []string{"cosigner_unverified:r01,r02"}},
		{"a dose given minutes before her shift was fetched, by the phone's clock", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 11, 55)
			s.rec(care.RecordMedication, "p1", 11, 57, func(r *store.StoredRecord) {
				waiting("d1", code)(r)
				t := at(11, 57)
				r.AdministeredAt = &t
			})
			s.rec(care.RecordCosign, "p1", 12, 1, cosign("d1", code, func(r *store.StoredRecord) { r.BundleID = "b3" }))
		}, nil},
		{"the giver co-signed herself", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, func(r *store.StoredRecord) { r.AuthorID, r.BundleID = "anna", "b1" }))
		}, []string{"cosigner_unverified:r01,r02"}},
		{"a bad and a good cosign: the good one verifies", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 3, cosign("d1", code, func(r *store.StoredRecord) { r.AuthorRole = string(care.RoleWorker) }))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, nil))
		}, nil},
		{"a voided cosign counts for nothing", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", code, func(r *store.StoredRecord) { r.State = store.StateVoid }))
		}, []string{"missing_cosignature:r01"}},
		{"another code, dose or patient does not link", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.doubleDose("d2", "p2", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", code))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", "ZZZZ2345", nil))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("d2", code, nil))
			s.rec(care.RecordCosign, "p2", 9, 4, cosign("d1", code, nil))
		}, []string{"missing_administration:dose:d2", "missing_cosignature:r01"}},
		{"a controlled PRN dose co-signed, an ordinary one needs none", func(s *scenario) {
			prn := func(id, med string) func(*store.StoredRecord) {
				return func(r *store.StoredRecord) {
					given("", med, 9, 2)(r)
					r.PRNID, r.Uncosigned, r.CosignCode = id, true, code
				}
			}
			s.rec(care.RecordMedication, "p1", 9, 2, prn("prn1", "Morfin"))
			s.rec(care.RecordCosign, "p1", 9, 4, cosign("", code, func(r *store.StoredRecord) { r.PRNID = "prn1" }))
			s.rec(care.RecordMedication, "p1", 10, 2, func(r *store.StoredRecord) { given("", "Paracet", 10, 2)(r); r.PRNID, r.Uncosigned = "prn2", true })
		}, []string{"prn_effect_missing:r01", "prn_effect_missing:r03"}},
		{"a controlled PRN dose not co-signed", func(s *scenario) {
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) { given("", "Morfin", 9, 2)(r); r.PRNID, r.Uncosigned = "prn1", true })
		}, []string{"missing_cosignature:r01", "prn_effect_missing:r01"}},
		{"a refused dose needs no co-signature", func(s *scenario) {
			s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
			s.rec(care.RecordMedication, "p1", 9, 2, func(r *store.StoredRecord) { waiting("d1", code)(r); r.Status = care.DoseRefused })
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := cosignScenario()
			c.build(s)
			var got []string
			for _, d := range describe(PatientFindings(s.in)) {
				if !strings.HasPrefix(d, "emergency") {
					got = append(got, d)
				}
			}
			sort.Strings(c.want)
			if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
				t.Fatalf("findings\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

// TestCosignFindingKeys: each reason an unverified co-signature has its
// own message key.
func TestCosignFindingKeys(t *testing.T) {
	s := cosignScenario()
	s.doubleDose("d1", "p1", "Oksykodon", 9, 0)
	s.rec(care.RecordMedication, "p1", 9, 2, waiting("d1", "ABCD2345"))
	s.rec(care.RecordCosign, "p1", 9, 4, cosign("d1", "ABCD2345", func(r *store.StoredRecord) { r.AuthorRole = string(care.RoleWorker) }))
	fs := PatientFindings(s.in)
	if len(fs) != 1 || fs[0].Key != "finding.cosigner_unverified_role" || fs[0].Args["author"] != "kari" || fs[0].Args["medication"] != "Oksykodon" || fs[0].ScheduleID != "d1" {
		t.Fatalf("findings %+v", fs)
	}
}
