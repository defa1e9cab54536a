package care

import (
	"strings"
	"testing"
)

func validCosign() Record {
	r := validRecord(RecordNote)
	r.Type, r.Text = RecordCosign, ""
	r.CosignCode, r.ScheduleID, r.Medication, r.Dose = NewCosignCode("p1", "d1"), "d1", "Morfin", "5 mg"
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
		{"cosign of a PRN dose", validCosign, func(r *Record) { r.ScheduleID, r.PRNID, r.CosignCode = "", "prn1", NewCosignCode("p1", "prn:prn1") }, ""},
		{"cosign code of another dose", validCosign, func(r *Record) { r.CosignCode = NewCosignCode("p1", "d2") }, "cosign_code"},
		{"cosign code of another patient", validCosign, func(r *Record) { r.CosignCode = NewCosignCode("p2", "d1") }, "cosign_code"},
		{"cosign code with a character typed wrong", validCosign, func(r *Record) { r.CosignCode = typo(r.CosignCode, 1) }, "cosign_code"},
		{"cosign without code", validCosign, func(r *Record) { r.CosignCode = "" }, "cosign_code"},
		{"cosign code too short", validCosign, func(r *Record) { r.CosignCode = "ABCD234" }, "cosign_code"},
		{"cosign code with an ambiguous letter", validCosign, func(r *Record) { r.CosignCode = "ABCD234O" }, "cosign_code"},
		{"cosign code in lower case", validCosign, func(r *Record) { r.CosignCode = strings.ToLower(r.CosignCode) }, "cosign_code"},
		{"cosign code with a dash", validCosign, func(r *Record) { r.CosignCode = FormatCosignCode(r.CosignCode) }, "cosign_code"},
		{"cosign without dose", validCosign, func(r *Record) { r.ScheduleID = "" }, "schedule_id"},
		{"cosign of both doses", validCosign, func(r *Record) { r.PRNID = "prn1" }, "schedule_id"},
		{"cosign of a dose with another code", validCosign, func(r *Record) { r.ScheduleID = "d2" }, "cosign_code"},
		{"cosign without signature", validCosign, func(r *Record) { r.SignatureSVG = "" }, "signature_svg"},
		{"cosign signature with markup", validCosign, func(r *Record) { r.SignatureSVG = "<svg/>" }, "signature_svg"},
		{"cosign medication too long", validCosign, func(r *Record) { r.Medication = strings.Repeat("m", MaxShortBytes+1) }, "medication"},
		{"medication waiting for a cosign", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.ScheduleID, r.CosignCode = "d1", NewCosignCode("p1", "d1") }, ""},
		{"a PRN dose waiting for a cosign", func() Record { return validRecord(RecordMedication) }, func(r *Record) {
			r.PRNID, r.Indication, r.CosignCode = "prn1", "Smerte", NewCosignCode("p1", "prn:prn1")
		}, ""},
		{"an unscheduled dose cannot wait for a cosign", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.CosignCode = NewCosignCode("p1", "d1") }, "schedule_id"},
		{"medication with another dose's code", func() Record { return validRecord(RecordMedication) }, func(r *Record) { r.ScheduleID, r.CosignCode = "d2", NewCosignCode("p1", "d1") }, "cosign_code"},
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
		c := NewCosignCode("p1", "d1")
		if !IsCosignCode(c) || !CosignCodeFor(c, "p1", "d1") || CosignCodeFor(c, "p1", "d2") {
			t.Fatalf("NewCosignCode made %q, not a code for p1's d1", c)
		}
		seen[c] = true
		// Every character typed wrong is caught by the check character.
		for i := range CosignCodeLength {
			for j := 1; j < len(cosignAlphabet); j++ {
				b := []byte(c)
				b[i] = cosignAlphabet[(strings.IndexByte(cosignAlphabet, c[i])+j)%len(cosignAlphabet)]
				if IsCosignCode(string(b)) {
					t.Fatalf("%q with character %d typed wrong (%q) passes", c, i, b)
				}
			}
		}
	}
	if len(seen) < 199 {
		t.Errorf("200 codes, only %d different", len(seen))
	}
	code := NewCosignCode("p1", "d1")
	cases := []struct {
		typed, want string
		ok          bool
	}{
		{strings.ToLower(FormatCosignCode(code)), code, true},
		{" " + code[:4] + " " + code[4:] + " ", code, true},
		{code, code, true},
		{code[:7], code[:7], false},
		{code[:7] + "0", code[:7] + "0", false},
		{"Æ" + code[1:], "Æ" + code[1:], false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizeCosignCode(c.typed)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizeCosignCode(%q) = %q, %v; want %q, %v", c.typed, got, ok, c.want, c.ok)
		}
	}
	if got := FormatCosignCode("ABCD2345"); got != "ABCD-2345" || CosignDoseRef("", "x") != "prn:x" || CosignDoseRef("d", "") != "d" {
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

// typo changes the character at i of a code to the next of the alphabet.
func typo(code string, i int) string {
	b := []byte(code)
	b[i] = cosignAlphabet[(strings.IndexByte(cosignAlphabet, code[i])+1)%len(cosignAlphabet)]
	return string(b)
}
