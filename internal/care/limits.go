package care

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Length limits on every text that comes in: plan imports, routines and
// announcements saved in the office, records synced from phones, users
// and device labels. They are in bytes of UTF-8, so that the work any one
// field can cause (storing it, sending it in every bundle, laying it out in
// the printed binder) is bounded whatever script it is written in; a
// Nordic letter takes two bytes. Each limit is far above what the field
// holds in practice. Every path that takes one of these types calls its
// CheckLimits (records: Validate), so that a limit is written here once.
const (
	// MaxIDBytes bounds ids of every kind: Beredskap's UUIDs (36 bytes),
	// the source systems' ids, unit ids, usernames named in a plan, dates.
	MaxIDBytes = 128
	// MaxNameBytes bounds a person's, a unit's or a medication's name, a
	// routine's title and similar one-line labels.
	MaxNameBytes = 200
	// MaxPhoneBytes bounds a phone number.
	MaxPhoneBytes = 40
	// MaxLineBytes bounds a one-line free text: an address, an allergy, a
	// task, a routine step, a contact's relation.
	MaxLineBytes = 1000
	// MaxNoteBytes bounds a paragraph on a person card or an
	// announcement: access information, a warning, an equipment note.
	MaxNoteBytes = 4000
	// MaxListItems bounds every list of texts (allergies, warnings,
	// equipment, relatives, tasks, steps, contacts, units).
	MaxListItems = 50
	// MaxLabelBytes bounds a device's label.
	MaxLabelBytes = 100
	// MaxUsernameBytes bounds a username.
	MaxUsernameBytes = 64
)

// limitError is the ValidationError of a text that is too long or a list
// that has too many items; Limit is the bound that was passed.
func limitError(field string, limit int, what string) error {
	key := KeyTooLong
	if what == "items" {
		key = KeyTooMany
	}
	return &ValidationError{Field: field, Problem: fmt.Sprintf("is longer than %d %s (the limit)", limit, what), Limit: limit,
		Key: key, Args: []string{strconv.Itoa(limit)}}
}

// CheckLength checks one text field against its limit: at most max bytes,
// valid UTF-8 and without NUL bytes. The error is a *ValidationError
// that names the field and the limit.
func CheckLength(field, v string, max int) error {
	if len(v) > max {
		return limitError(field, max, "bytes")
	}
	if !utf8.ValidString(v) {
		return invalidKey(field, "is not valid UTF-8", KeyNotText)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return invalidKey(field, "holds a NUL byte", KeyNotText)
	}
	return nil
}

// CheckList checks a list of texts: at most MaxListItems items, each
// within max bytes. Items are named field[i].
func CheckList(field string, vs []string, max int) error {
	if len(vs) > MaxListItems {
		return limitError(field, MaxListItems, "items")
	}
	for i, v := range vs {
		if err := CheckLength(fmt.Sprintf("%s[%d]", field, i), v, max); err != nil {
			return err
		}
	}
	return nil
}

// field is one text and its limit, for checking many at once.
type field struct {
	name string
	v    string
	max  int
}

func checkFields(fs ...field) error {
	for _, f := range fs {
		if err := CheckLength(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CheckLimits checks a contact's texts; prefix names it (e.g. "gp").
func (c Contact) CheckLimits(prefix string) error {
	return checkFields(field{prefix + ".name", c.Name, MaxNameBytes}, field{prefix + ".relation", c.Relation, MaxLineBytes},
		field{prefix + ".phone", c.Phone, MaxPhoneBytes})
}

func checkContacts(field string, cs []Contact) error {
	if len(cs) > MaxListItems {
		return limitError(field, MaxListItems, "items")
	}
	for i, c := range cs {
		if err := c.CheckLimits(fmt.Sprintf("%s[%d]", field, i)); err != nil {
			return err
		}
	}
	return nil
}

// CheckLimits checks a person card's texts and lists against the limits.
func (p Patient) CheckLimits() error {
	if err := checkFields(field{"id", p.ID, MaxIDBytes}, field{"unit_id", p.UnitID, MaxIDBytes}, field{"name", p.Name, MaxNameBytes},
		field{"birth_date", p.BirthDate, MaxIDBytes}, field{"address", p.Address, MaxLineBytes},
		field{"access_info", p.AccessInfo, MaxNoteBytes}, field{"source_id", p.SourceID, MaxIDBytes}); err != nil {
		return err
	}
	if err := checkContacts("relatives", p.Relatives); err != nil {
		return err
	}
	if err := p.ResponsibleNurse.CheckLimits("responsible_nurse"); err != nil {
		return err
	}
	if err := p.GP.CheckLimits("gp"); err != nil {
		return err
	}
	if err := CheckList("allergies", p.Allergies, MaxLineBytes); err != nil {
		return err
	}
	if err := CheckList("warnings", p.Warnings, MaxNoteBytes); err != nil {
		return err
	}
	if len(p.Equipment) > MaxListItems {
		return limitError("equipment", MaxListItems, "items")
	}
	for i, e := range p.Equipment {
		if err := checkFields(field{fmt.Sprintf("equipment[%d].name", i), e.Name, MaxNameBytes},
			field{fmt.Sprintf("equipment[%d].note", i), e.Note, MaxNoteBytes}); err != nil {
			return err
		}
	}
	return nil
}

// CheckLimits checks a visit's ids and tasks against the limits.
func (v Visit) CheckLimits() error {
	if err := checkFields(field{"id", v.ID, MaxIDBytes}, field{"patient_id", v.PatientID, MaxIDBytes},
		field{"worker_id", v.WorkerID, MaxIDBytes}, field{"unit_id", v.UnitID, MaxIDBytes}, field{"source_id", v.SourceID, MaxIDBytes}); err != nil {
		return err
	}
	return CheckList("tasks", v.Tasks, MaxLineBytes)
}

// CheckLimits checks a scheduled dose's texts against the limits.
func (d ScheduledDose) CheckLimits() error {
	return checkFields(field{"id", d.ID, MaxIDBytes}, field{"patient_id", d.PatientID, MaxIDBytes}, field{"visit_id", d.VisitID, MaxIDBytes},
		field{"medication", d.Medication, MaxNameBytes}, field{"dose", d.Dose, MaxNameBytes}, field{"route", d.Route, MaxNameBytes},
		field{"source_id", d.SourceID, MaxIDBytes})
}

// CheckLimits checks a routine's texts and lists against the limits.
func (r Routine) CheckLimits() error {
	if err := checkFields(field{"id", r.ID, MaxIDBytes}, field{"title", r.Title, MaxNameBytes},
		field{"scenario", string(r.Scenario), MaxIDBytes}, field{"revised", r.Revised, MaxIDBytes}); err != nil {
		return err
	}
	if err := CheckList("steps", r.Steps, MaxLineBytes); err != nil {
		return err
	}
	if err := checkContacts("contacts", r.Contacts); err != nil {
		return err
	}
	return CheckList("units", r.Units, MaxIDBytes)
}

// CheckLimits checks an announcement's texts against the limits.
func (a Announcement) CheckLimits() error {
	if err := checkFields(field{"id", a.ID, MaxIDBytes}, field{"level", a.Level, MaxIDBytes}, field{"text", a.Text, MaxNoteBytes},
		field{"author_id", a.AuthorID, MaxIDBytes}, field{"author", a.Author, MaxNameBytes}); err != nil {
		return err
	}
	return CheckList("units", a.Units, MaxIDBytes)
}

// CheckLimits checks a user's texts against the limits.
func (u User) CheckLimits() error {
	if err := checkFields(field{"id", u.ID, MaxIDBytes}, field{"username", u.Username, MaxUsernameBytes},
		field{"name", u.Name, MaxNameBytes}, field{"lang", u.Lang, MaxIDBytes}); err != nil {
		return err
	}
	return CheckList("units", u.Units, MaxIDBytes)
}

// CheckDeviceLabel checks a phone's label against its limit.
func CheckDeviceLabel(label string) error { return CheckLength("label", label, MaxLabelBytes) }
