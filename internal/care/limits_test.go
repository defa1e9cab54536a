package care

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestLimits holds every type's CheckLimits to its documented bounds: at
// the limit passes, one byte over fails naming the field and the limit.
func TestLimits(t *testing.T) {
	over := func(n int) string { return strings.Repeat("x", n+1) }
	at := func(n int) string { return strings.Repeat("x", n) }
	many := make([]string, MaxListItems+1)
	cases := []struct {
		name  string
		check func() error
		field string // "" means within the limits
		limit int
	}{
		{"patient name at the limit", func() error { return Patient{Name: at(MaxNameBytes)}.CheckLimits() }, "", 0},
		{"patient name of 10 MB", func() error { return Patient{Name: over(10 << 20)}.CheckLimits() }, "name", MaxNameBytes},
		{"patient name one over", func() error { return Patient{Name: over(MaxNameBytes)}.CheckLimits() }, "name", MaxNameBytes},
		{"patient source id", func() error { return Patient{SourceID: over(MaxIDBytes)}.CheckLimits() }, "source_id", MaxIDBytes},
		{"access info", func() error { return Patient{AccessInfo: over(MaxNoteBytes)}.CheckLimits() }, "access_info", MaxNoteBytes},
		{"address", func() error { return Patient{Address: over(MaxLineBytes)}.CheckLimits() }, "address", MaxLineBytes},
		{"gp phone", func() error { return Patient{GP: Contact{Phone: over(MaxPhoneBytes)}}.CheckLimits() }, "gp.phone", MaxPhoneBytes},
		{"relative name", func() error {
			return Patient{Relatives: []Contact{{Name: "a"}, {Name: over(MaxNameBytes)}}}.CheckLimits()
		}, "relatives[1].name", MaxNameBytes},
		{"too many allergies", func() error { return Patient{Allergies: many}.CheckLimits() }, "allergies", MaxListItems},
		{"a long warning", func() error { return Patient{Warnings: []string{over(MaxNoteBytes)}}.CheckLimits() }, "warnings[0]", MaxNoteBytes},
		{"equipment note", func() error {
			return Patient{Equipment: []Equipment{{Name: "o2", Note: over(MaxNoteBytes)}}}.CheckLimits()
		}, "equipment[0].note", MaxNoteBytes},
		{"visit task", func() error { return Visit{Tasks: []string{over(MaxLineBytes)}}.CheckLimits() }, "tasks[0]", MaxLineBytes},
		{"visit tasks", func() error { return Visit{Tasks: many}.CheckLimits() }, "tasks", MaxListItems},
		{"dose medication", func() error { return ScheduledDose{Medication: over(MaxNameBytes)}.CheckLimits() }, "medication", MaxNameBytes},
		{"dose route", func() error { return ScheduledDose{Route: over(MaxNameBytes)}.CheckLimits() }, "route", MaxNameBytes},
		{"routine title", func() error { return Routine{Title: over(MaxNameBytes)}.CheckLimits() }, "title", MaxNameBytes},
		{"routine step", func() error { return Routine{Steps: []string{"a", over(MaxLineBytes)}}.CheckLimits() }, "steps[1]", MaxLineBytes},
		{"routine contact", func() error {
			return Routine{Contacts: []Contact{{Name: "IT", Phone: over(MaxPhoneBytes)}}}.CheckLimits()
		}, "contacts[0].phone", MaxPhoneBytes},
		{"routine units", func() error { return Routine{Units: many}.CheckLimits() }, "units", MaxListItems},
		{"announcement text", func() error { return Announcement{Text: over(MaxNoteBytes)}.CheckLimits() }, "text", MaxNoteBytes},
		{"announcement at the limit", func() error { return Announcement{Text: at(MaxNoteBytes)}.CheckLimits() }, "", 0},
		{"user name", func() error { return User{Name: over(MaxNameBytes)}.CheckLimits() }, "name", MaxNameBytes},
		{"username", func() error { return User{Username: over(MaxUsernameBytes)}.CheckLimits() }, "username", MaxUsernameBytes},
		{"device label", func() error { return CheckDeviceLabel(over(MaxLabelBytes)) }, "label", MaxLabelBytes},
		{"device label at the limit", func() error { return CheckDeviceLabel(at(MaxLabelBytes)) }, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.check()
			if c.field == "" {
				if err != nil {
					t.Fatalf("within the limits, got %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if v.Field != c.field || v.Limit != c.limit {
				t.Errorf("got field %q limit %d, want %q %d", v.Field, v.Limit, c.field, c.limit)
			}
			if !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), strconv.Itoa(c.limit)) {
				t.Errorf("message %q names neither the field nor the limit", err)
			}
		})
	}
}

// TestCheckLength refuses text that is not valid UTF-8 or holds NUL.
func TestCheckLength(t *testing.T) {
	for _, v := range []string{"a\x00b", "\xff", "ok\xc3"} {
		if err := CheckLength("name", v, 100); !IsValidation(err) {
			t.Errorf("CheckLength(%q) = %v, want a ValidationError", v, err)
		}
	}
	if err := CheckLength("name", "Åse Bjørnstad", 100); err != nil {
		t.Errorf("a plain name refused: %v", err)
	}
}

// TestRecordLimits covers every text of a record, including fields its
// type does not use and the co-signer's id and name.
func TestRecordLimits(t *testing.T) {
	cases := []struct {
		field  string
		limit  int
		mutate func(*Record, string)
	}{
		{"cosigner_id", MaxIDBytes, func(r *Record, v string) { r.CosignerID = v }},
		{"cosigner_name", MaxShortBytes, func(r *Record, v string) { r.CosignerName = v }},
		{"author_id", MaxIDBytes, func(r *Record, v string) { r.AuthorID = v }},
		{"patient_id", MaxIDBytes, func(r *Record, v string) { r.PatientID = v }},
		{"visit_id", MaxIDBytes, func(r *Record, v string) { r.VisitID = v }},
		{"schedule_id", MaxIDBytes, func(r *Record, v string) { r.ScheduleID = v }},
		{"description", MaxTextBytes, func(r *Record, v string) { r.Description = v }},
		{"status", MaxIDBytes, func(r *Record, v string) { r.Status = v }},
	}
	for _, typ := range []RecordType{RecordNote, RecordMedication} {
		for _, c := range cases {
			t.Run(string(typ)+"/"+c.field, func(t *testing.T) {
				r := validRecord(typ)
				c.mutate(&r, strings.Repeat("7", 3<<20)) // the 3 MiB of the review
				var v *ValidationError
				if err := r.Validate(); !errors.As(err, &v) || v.Field != c.field || v.Limit != c.limit {
					t.Errorf("Validate() = %v, want %s over its limit of %d", err, c.field, c.limit)
				}
			})
		}
	}
}
