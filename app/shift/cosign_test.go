package shift

import (
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func cosignBundle() *wire.Bundle {
	due := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return &wire.Bundle{
		Patients: []care.Patient{{ID: "p1", Name: "Liv", PRN: []care.PRNMedication{
			{ID: "prn-morf", Medication: "Morfin", Dose: "5 mg", Indications: []string{"Smerter"}, MaxPer24h: 6, Controlled: true},
			{ID: "prn-para", Medication: "Paracetamol", Dose: "1 g", Indications: []string{"Smerter"}, MaxPer24h: 4}}},
			{ID: "p2", Name: "Per"}},
		Medications: []care.ScheduledDose{
			{ID: "d1", PatientID: "p1", Medication: "Oksykodon", Dose: "5 mg", Due: due, Controlled: true},
			{ID: "d2", PatientID: "p2", Medication: "Insulin", Dose: "8 IE", Due: due, DoubleCheck: true},
			{ID: "d3", PatientID: "p2", Medication: "Paracet", Dose: "1 g", Due: due},
		},
	}
}

// TestFindCosignDoses: the co-signer's phone finds the dose a code was
// made for in its own bundle, scheduled or as needed, of any of its
// patients; a dose that needs no second signature, a mistyped code and a
// code of a dose her bundle lacks find nothing.
func TestFindCosignDoses(t *testing.T) {
	b := cosignBundle()
	cases := []struct {
		name      string
		code      string
		want      string // schedule or PRN id, "" for none
		wantCount int
	}{
		{"a controlled scheduled dose", CosignCode("p1", "d1", ""), "d1", 1},
		{"a double-check dose of another patient", CosignCode("p2", "d2", ""), "d2", 1},
		{"a controlled PRN dose", CosignCode("p1", "", "prn-morf"), "prn-morf", 1},
		{"an ordinary scheduled dose", CosignCode("p2", "d3", ""), "", 0},
		{"an ordinary PRN dose", CosignCode("p1", "", "prn-para"), "", 0},
		{"a dose not in her bundle", CosignCode("p9", "d9", ""), "", 0},
		{"a mistyped code", mistype(CosignCode("p1", "d1", "")), "", 0},
		{"not a code", "hello", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := FindCosignDoses(b, c.code)
			if len(got) != c.wantCount {
				t.Fatalf("found %+v, want %d", got, c.wantCount)
			}
			if c.wantCount == 1 && got[0].ScheduleID+got[0].PRNID != c.want {
				t.Fatalf("found %+v, want %s", got[0], c.want)
			}
		})
	}
	if FindCosignDoses(nil, CosignCode("p1", "d1", "")) != nil {
		t.Error("a locked phone found a dose")
	}
}

// TestCosignRecord: the record the co-signer's phone writes carries the
// code, the patient, the dose and her signature, and is valid once the
// outbox has filled in who and when.
func TestCosignRecord(t *testing.T) {
	b := cosignBundle()
	for _, code := range []string{CosignCode("p1", "d1", ""), CosignCode("p1", "", "prn-morf")} {
		ds := FindCosignDoses(b, code)
		if len(ds) != 1 {
			t.Fatalf("%s found %d doses", code, len(ds))
		}
		r := CosignRecord(ds[0], code, "M1 1 L2 2")
		if r.Type != care.RecordCosign || r.PatientID != "p1" || r.CosignCode != code || r.SignatureSVG != "M1 1 L2 2" ||
			r.ScheduleID+r.PRNID == "" || r.Medication == "" {
			t.Fatalf("record %+v", r)
		}
		r.ID, r.DeviceID, r.AuthorID, r.Seq, r.CreatedAt = "0190b6a2-0000-7000-8000-000000000001", "0190b6a2-0000-7000-8000-0000000000d1", "kari", 1, time.Now()
		if err := r.Validate(); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		r.SignatureSVG = ""
		if r.Validate() == nil {
			t.Error("a cosign without her signature is valid")
		}
	}
}

// TestWaitingCosigns: the visit shows again the codes of the phone's own
// administrations of the patient, newest first, not those the server
// refused nor other patients'.
func TestWaitingCosigns(t *testing.T) {
	rec := func(id, patient, code, state string) LocalRecord {
		return LocalRecord{Record: care.Record{ID: id, Type: care.RecordMedication, PatientID: patient, CosignCode: code}, State: state}
	}
	local := []LocalRecord{rec("a", "p1", "C1", OutboxSent), rec("b", "p1", "", OutboxWaiting), rec("c", "p2", "C2", OutboxWaiting),
		rec("d", "p1", "C3", OutboxRejected), rec("e", "p1", "C4", OutboxWaiting)}
	got := WaitingCosigns(local, "p1")
	if len(got) != 2 || got[0].ID != "e" || got[1].ID != "a" {
		t.Fatalf("waiting %+v", got)
	}
}

// mistype changes a code's first character.
func mistype(code string) string {
	c := byte('2')
	if code[0] == '2' {
		c = '3'
	}
	return string(c) + code[1:]
}
