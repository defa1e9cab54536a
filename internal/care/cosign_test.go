package care

import (
	"strings"
	"testing"
)

func validCosign() Record {
	r := validRecord(RecordNote)
	r.Type, r.Text = RecordCosign, ""
	r.CosignCode, r.ScheduleID, r.Medication, r.Dose = "ABCD2345", "d1", "Morfin", "5 mg"
	r.SignatureSVG = "M1 1 L2 2"
	return r
}

func TestCosignValidate(t *testing.T) {
	cases := []struct {
		name   string
		base   func() Record
		mutate func(*Record)
		field  string // "" means valid
	}{
		{"cosign of a scheduled dose", validCosign, nil, ""},
		{"cosign of a PRN dose", validCosign, func(r *Record) { r.ScheduleID, r.PRNID = "", "prn1" }, ""},
		{"cosign without code", validCosign, func(r *Record) { r.CosignCode = "" }, "cosign_code"},
		{"cosign code too short", validCosign, func(r *Record) { r.CosignCode = "ABCD234" }, "cosign_code"},
		{"cosign code with an ambiguous letter", validCosign, func(r *Record) { r.CosignCode = "ABCD234O" }, "cosign_code"},
		{"cosign code in lower case", validCosign, func(r *Record) { r.CosignCode = "abcd2345" }, "cosign_code"},
		{"cosign code with a dash", validCosign, func(r *Record) { r.CosignCode = "ABCD-2345" }, "cosign_code"},
		{"cosign without dose", validCosign, func(r *Record) { r.ScheduleID = "" }, "schedule_id"},
		{"cosign of both doses", validCosign, func(r *Record) { r.PRNID = "prn1" }, "schedule_id"},
		{"cosign without signature", validCosign, func(r *Record) { r.SignatureSVG = "" }, "signature_svg"},
		{"cosign signature with markup", validCosign, func(r *Record) { r.SignatureSVG = "<svg/>" }, "signature_svg"},
		{"cosign medication too long", validCosign, func(r *Record) { r.Medication = strings.Repeat("m", MaxShortBytes+1) }, "medication"},
		{"medication waiting for a cosign", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.CosignCode = NewCosignCode() }, ""},
		{"medication with a bad code", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.CosignCode = "12345678" }, "cosign_code"},
		{"code too long for its limit", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.CosignCode = strings.Repeat("A", MaxIDBytes+1) }, "cosign_code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.base()
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
			if err == nil || !IsValidation(err) || !strings.HasPrefix(err.Error(), c.field+":") {
				t.Fatalf("error %v, want one about %s", err, c.field)
			}
		})
	}
}

func TestCosignCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewCosignCode()
		if !IsCosignCode(c) {
			t.Fatalf("NewCosignCode made %q, not a code", c)
		}
		seen[c] = true
	}
	if len(seen) < 199 {
		t.Errorf("200 codes, only %d different", len(seen))
	}
	cases := []struct {
		typed, want string
		ok          bool
	}{
		{"abcd-2345", "ABCD2345", true},
		{" ABCD 2345 ", "ABCD2345", true},
		{"ABCD2345", "ABCD2345", true},
		{"ABCD-234", "ABCD234", false},
		{"ABCD-2340", "ABCD2340", false},
		{"ÆBCD-2345", "ÆBCD2345", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizeCosignCode(c.typed)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizeCosignCode(%q) = %q, %v; want %q, %v", c.typed, got, ok, c.want, c.ok)
		}
	}
	if got := FormatCosignCode("ABCD2345"); got != "ABCD-2345" {
		t.Errorf("FormatCosignCode = %q", got)
	}
}

func TestWhoCosigns(t *testing.T) {
	for _, r := range Roles() {
		if r.Cosigns() != (r == RoleNurse) {
			t.Errorf("%s.Cosigns() = %v", r, r.Cosigns())
		}
	}
	cases := []struct {
		d    ScheduledDose
		want bool
	}{
		{ScheduledDose{}, false},
		{ScheduledDose{DoubleCheck: true}, true},
		{ScheduledDose{Controlled: true}, true},
	}
	for _, c := range cases {
		if c.d.NeedsCosign() != c.want {
			t.Errorf("%+v NeedsCosign = %v", c.d, !c.want)
		}
	}
}
