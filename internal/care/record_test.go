package care

import (
	"strings"
	"testing"
	"time"
)

func validRecord(typ RecordType) Record {
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	r := Record{
		ID: "0190b6a2-0000-7000-8000-000000000001", Type: typ,
		DeviceID: "0190b6a2-0000-7000-8000-0000000000d1", AuthorID: "u1", PatientID: "p1",
		CreatedAt: at, Seq: 1,
	}
	switch typ {
	case RecordNote:
		r.Text = "Slept well."
	case RecordMedication:
		r.Medication, r.Dose, r.Route, r.Status = "Paracet", "1 g", "oral", DoseGiven
		r.AdministeredAt = &at
		r.SignatureSVG = "M10 10 L20 20 L30 15"
	case RecordDeviation:
		r.Category, r.Severity, r.Description = "fall", SeverityMedium, "Found on the floor."
	case RecordVisitStatus:
		r.VisitID, r.Status, r.At = "v1", VisitCompleted, &at
	case RecordAccess:
		r.Reason, r.At = "Covering for Ole", &at
	}
	return r
}

func TestRecordValidate(t *testing.T) {
	cases := []struct {
		name   string
		typ    RecordType
		mutate func(*Record)
		field  string // "" means valid
	}{
		{"note", RecordNote, nil, ""},
		{"medication given", RecordMedication, nil, ""},
		{"deviation", RecordDeviation, nil, ""},
		{"visit status", RecordVisitStatus, nil, ""},
		{"access", RecordAccess, nil, ""},
		{"id not a uuid", RecordNote, func(r *Record) { r.ID = "42" }, "id"},
		{"uuid in braces", RecordNote, func(r *Record) { r.ID = "{" + r.ID + "}" }, "id"},
		{"device not a uuid", RecordNote, func(r *Record) { r.DeviceID = "phone" }, "device_id"},
		{"no author", RecordNote, func(r *Record) { r.AuthorID = "" }, "author_id"},
		{"no patient", RecordNote, func(r *Record) { r.PatientID = "" }, "patient_id"},
		{"no time", RecordNote, func(r *Record) { r.CreatedAt = time.Time{} }, "created_at"},
		{"seq zero", RecordNote, func(r *Record) { r.Seq = 0 }, "seq"},
		{"seq one", RecordNote, func(r *Record) { r.Seq = 1 }, ""},
		{"seq at the bound", RecordNote, func(r *Record) { r.Seq = MaxSeq }, ""},
		{"seq past the bound", RecordNote, func(r *Record) { r.Seq = MaxSeq + 1 }, "seq"},
		{"seq far past the bound", RecordNote, func(r *Record) { r.Seq = 1 << 40 }, "seq"},
		{"seq at the largest number", RecordNote, func(r *Record) { r.Seq = ^uint64(0) }, "seq"},
		{"unknown type", RecordNote, func(r *Record) { r.Type = "diary" }, "type"},
		{"empty note", RecordNote, func(r *Record) { r.Text = "  \n" }, "text"},
		{"note too long", RecordNote, func(r *Record) { r.Text = strings.Repeat("a", MaxTextBytes+1) }, "text"},
		{"note not utf-8", RecordNote, func(r *Record) { r.Text = "\xff\xfe" }, "text"},
		{"refused without reason", RecordMedication, func(r *Record) { r.Status = DoseRefused }, "reason"},
		{"refused with reason", RecordMedication, func(r *Record) { r.Status, r.Reason = DoseRefused, "Said no" }, ""},
		{"unknown dose status", RecordMedication, func(r *Record) { r.Status = "half" }, "status"},
		{"no signature", RecordMedication, func(r *Record) { r.SignatureSVG = "" }, "signature_svg"},
		{"signature with markup", RecordMedication, func(r *Record) { r.SignatureSVG = `<script>alert(1)</script>` }, "signature_svg"},
		{"signature too large", RecordMedication, func(r *Record) { r.SignatureSVG = "M" + strings.Repeat("1 ", MaxSignatureBytes) }, "signature_svg"},
		{"no administration time", RecordMedication, func(r *Record) { r.AdministeredAt = nil }, "administered_at"},
		{"no dose", RecordMedication, func(r *Record) { r.Dose = "" }, "dose"},
		{"cosigner without signature", RecordMedication, func(r *Record) { r.CosignerName = "Kari" }, "cosigner_signature_svg"},
		{"cosigner signature without name", RecordMedication, func(r *Record) { r.CosignerSignatureSVG = "M1 1 L2 2" }, "cosigner_name"},
		{"cosigner complete", RecordMedication, func(r *Record) { r.CosignerName, r.CosignerSignatureSVG = "Kari", "M1 1 L2 2" }, ""},
		{"deviation severity", RecordDeviation, func(r *Record) { r.Severity = "extreme" }, "severity"},
		{"deviation no description", RecordDeviation, func(r *Record) { r.Description = "" }, "description"},
		{"deviation no category", RecordDeviation, func(r *Record) { r.Category = "" }, "category"},
		{"visit status without visit", RecordVisitStatus, func(r *Record) { r.VisitID = "" }, "visit_id"},
		{"visit status unknown", RecordVisitStatus, func(r *Record) { r.Status = "maybe" }, "status"},
		{"visit status no time", RecordVisitStatus, func(r *Record) { r.At = nil }, "at"},
		{"access without reason", RecordAccess, func(r *Record) { r.Reason = "" }, "reason"},
		{"emergency reason too long", RecordNote, func(r *Record) { r.EmergencyReason = strings.Repeat("x", MaxShortBytes+1) }, "emergency_reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRecord(c.typ)
			if c.mutate != nil {
				c.mutate(&r)
			}
			err := r.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("valid record refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want an error on %s", c.field)
			}
			if !IsValidation(err) || !strings.HasPrefix(err.Error(), c.field+":") {
				t.Fatalf("error %q, want one about %s", err, c.field)
			}
		})
	}
}

func TestIsPathData(t *testing.T) {
	cases := map[string]bool{
		"M10 10 L20 20":            true,
		"M1.5,2.5 C3 4 5 6 7 8 Z":  true,
		"m-1e2 3":                  true,
		"":                         false,
		"M L":                      false,
		"M1 1 <":                   false,
		"javascript:alert(1)":      false,
		"M1 1\" onload=\"alert(1)": false,
	}
	for in, want := range cases {
		if got := IsPathData(in); got != want {
			t.Errorf("IsPathData(%q) = %v", in, got)
		}
	}
}

func TestDoseWindowAndPriority(t *testing.T) {
	if (ScheduledDose{}).Window() != DefaultDoseWindow || (ScheduledDose{WindowMinutes: 30}).Window() != 30*time.Minute {
		t.Fatal("dose window")
	}
	p := Patient{Equipment: []Equipment{{Name: "Bed"}, {Name: "Oxygen", PowerDependent: true}}}
	if !p.PowerDependent() || (Patient{}).PowerDependent() {
		t.Fatal("power dependence")
	}
	r := Routine{Units: []string{"n"}}
	if !r.AppliesTo([]string{"s", "n"}) || r.AppliesTo([]string{"s"}) || !(Routine{}).AppliesTo(nil) {
		t.Fatal("routine units")
	}
	for _, s := range Scenarios() {
		if !s.Valid() {
			t.Fatalf("%s invalid", s)
		}
	}
	if Scenario("flood").Valid() || !RoleNurse.WorksShifts() || RoleCoordinator.WorksShifts() || !RoleAdmin.Reconciles() {
		t.Fatal("scenario/role predicates")
	}
}
