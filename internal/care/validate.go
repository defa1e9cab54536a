package care

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The rules of each thing the office and the plan import write, in one
// place: the office editor and the import call the same function, so that
// what one refuses the other refuses too. Each returns a *ValidationError
// (several joined with errors.Join where a plan reports every problem of
// a row at once; Problems lists them).

// More catalogue keys of validation problems (see KeyInvalid).
const (
	KeyUnknown    = "error.field.unknown"     // field, the value that names nothing
	KeyUsername   = "error.field.username"    // field
	KeyFuture     = "error.field.future"      // field (a time that lies ahead)
	KeyWithinDays = "error.field.within_days" // field, days (a time too far back)
	KeyPassword   = "error.field.password"    // field, the least length
)

// Invalid returns a *ValidationError for rules that need what only the
// caller knows (a unit that does not exist, a password's strength). key
// may be empty (KeyInvalid).
func Invalid(field, problem, key string, args ...string) error {
	return invalidKey(field, problem, key, args...)
}

// Problems lists the validation errors in err: one, or each of those
// joined by errors.Join. Other errors are not listed.
func Problems(err error) []*ValidationError {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*ValidationError
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	var v *ValidationError
	if errors.As(err, &v) {
		return []*ValidationError{v}
	}
	return nil
}

// MaxSteps is how many steps a routine may have: a routine is read under
// stress, on a phone, in the dark.
const MaxSteps = 50

// Tidy trims a routine's texts and drops empty steps and contacts without
// name or phone, as a form with blank lines leaves them.
func (r *Routine) Tidy() {
	r.Title = strings.TrimSpace(r.Title)
	var steps []string
	for _, st := range r.Steps {
		if st = strings.TrimSpace(st); st != "" {
			steps = append(steps, st)
		}
	}
	r.Steps = steps
	var contacts []Contact
	for _, ct := range r.Contacts {
		ct.Name, ct.Phone, ct.Relation = strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Phone), strings.TrimSpace(ct.Relation)
		if ct.Name != "" || ct.Phone != "" {
			contacts = append(contacts, ct)
		}
	}
	r.Contacts = contacts
}

// Validate checks a routine (after Tidy): a title, a known scenario,
// 1–MaxSteps steps, every text within its limit, and contacts with a name
// and a number a phone can dial. Which units the writer may name is the
// caller's decision.
func (r Routine) Validate() error {
	switch {
	case r.Title == "":
		return required("title")
	case !r.Scenario.Valid():
		return invalidKey("scenario", fmt.Sprintf("unknown scenario %q", r.Scenario), KeyOneOf, scenarioList())
	case len(r.Steps) == 0 || len(r.Steps) > MaxSteps:
		return invalidKey("steps", fmt.Sprintf("a routine needs 1–%d steps", MaxSteps), KeyCount, "1", strconv.Itoa(MaxSteps))
	}
	if err := r.CheckLimits(); err != nil {
		return err
	}
	for i, ct := range r.Contacts {
		field := fmt.Sprintf("contacts[%d]", i)
		if ct.Name == "" {
			return invalidKey(field+".name", "every contact needs a name", KeyNameless)
		}
		if ct.Phone != "" && strings.Trim(ct.Phone, "+0123456789 -()") != "" {
			return invalidKey(field+".phone", "phone "+ct.Phone+" has characters a phone cannot dial", KeyPhoneChars, ct.Phone)
		}
	}
	return nil
}

func scenarioList() string {
	var ss []string
	for _, s := range Scenarios() {
		ss = append(ss, string(s))
	}
	return strings.Join(ss, ", ")
}

// Announcement levels.
const (
	LevelInfo      = "info"
	LevelImportant = "important"
)

// Validate checks an announcement (its text trimmed): a text, a known
// level and every text within its limit.
func (a Announcement) Validate() error {
	switch {
	case a.Text == "":
		return required("text")
	case a.Level != LevelInfo && a.Level != LevelImportant:
		return invalidKey("level", `level must be "info" or "important"`, KeyOneOf, LevelInfo+", "+LevelImportant)
	}
	return a.CheckLimits()
}

// Reconciliation actions: the record was entered in the record system, or
// it is void (with a reason).
const (
	ActionEntered = "entered"
	ActionVoid    = "void"
)

// CheckReconcile checks a reconcile request's action and texts.
func CheckReconcile(action, ehrRef, reason string) error {
	switch {
	case action != ActionEntered && action != ActionVoid:
		return invalidKey("action", `action must be "entered" or "void"`, KeyOneOf, ActionEntered+", "+ActionVoid)
	case action == ActionVoid && strings.TrimSpace(reason) == "":
		return invalidKey("reason", "a reason is required to void a record", KeyRequired)
	}
	if err := CheckLength("ehr_ref", ehrRef, MaxNameBytes); err != nil {
		return err
	}
	return CheckLength("reason", reason, MaxLineBytes)
}

// MaxUserNameRunes bounds a user's shown name, in characters.
const MaxUserNameRunes = 100

// CheckUsername checks a normalised username: 2–64 characters without
// spaces, slashes, colons, @ or control characters.
func CheckUsername(name string) error {
	if n := utf8.RuneCountInString(name); n < 2 || n > 64 || strings.ContainsAny(name, " /\\:@") ||
		strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return invalidKey("username", "a username has 2–64 characters without spaces, slashes, colons or @", KeyUsername)
	}
	return nil
}

// ValidateNew checks a new user (username normalised, name trimmed): a
// valid username, a name, a known role and language (langs), the limits,
// and a unit for everyone who is not an admin. Whether the units exist is
// the caller's to check.
func (u User) ValidateNew(langs []string) error {
	if err := CheckUsername(u.Username); err != nil {
		return err
	}
	switch {
	case u.Name == "" || utf8.RuneCountInString(u.Name) > MaxUserNameRunes:
		return invalidKey("name", fmt.Sprintf("a name is required (at most %d characters)", MaxUserNameRunes), KeyRequired)
	case !u.Role.Valid():
		return invalidKey("role", "role must be worker, nurse, coordinator or admin", KeyOneOf, "worker, nurse, coordinator, admin")
	case u.Lang != "" && !slices.Contains(langs, u.Lang):
		return invalidKey("lang", "lang must be one of "+strings.Join(langs, ", "), KeyOneOf, strings.Join(langs, ", "))
	}
	if err := u.CheckLimits(); err != nil {
		return err
	}
	if len(u.Units) == 0 && u.Role != RoleAdmin {
		return invalidKey("units", "a worker, nurse or coordinator needs at least one unit", KeyRequired)
	}
	return nil
}

// ValidateRow checks a person card from a plan (its name trimmed, its
// priority defaulted): a name and an address, a known priority, a birth
// date as YYYY-MM-DD, and priority 1 with life-critical equipment. Every
// problem is returned, joined.
func (p Patient) ValidateRow() error {
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, required("name"))
	}
	if strings.TrimSpace(p.Address) == "" {
		errs = append(errs, required("address"))
	}
	if !p.Priority.Valid() {
		errs = append(errs, invalidKey("priority", "must be 1 (life-critical), 2 or 3", KeyOneOf, "1, 2, 3"))
	}
	if p.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", p.BirthDate); err != nil {
			errs = append(errs, invalidKey("birth_date", "must be YYYY-MM-DD", KeyDate))
		}
	}
	for _, e := range p.Equipment {
		if e.LifeCritical && p.Priority != PriorityVital {
			errs = append(errs, invalidKey("priority", fmt.Sprintf("a patient with life-critical equipment (%s) must have priority 1", e.Name), KeyOneOf, "1"))
			break
		}
	}
	if err := ValidatePRN(p.PRN); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// MaxVisitMinutes bounds a visit's length: one day.
const MaxVisitMinutes = 24 * 60

// ValidateRow checks a planned visit's time: a start, and 1–1440 minutes.
func (v Visit) ValidateRow() error {
	var errs []error
	if v.Start.IsZero() {
		errs = append(errs, required("start"))
	}
	if v.DurationMinutes <= 0 || v.DurationMinutes > MaxVisitMinutes {
		errs = append(errs, invalidKey("duration_minutes", fmt.Sprintf("must be 1–%d", MaxVisitMinutes), KeyRange, "1", strconv.Itoa(MaxVisitMinutes)))
	}
	return errors.Join(errs...)
}

// MaxDoseWindowMinutes bounds a dose's window either side of its time.
const MaxDoseWindowMinutes = 12 * 60

// ValidateRow checks a scheduled dose: a medication, a dose, a time and a
// window of 0–720 minutes.
func (d ScheduledDose) ValidateRow() error {
	var errs []error
	if strings.TrimSpace(d.Medication) == "" {
		errs = append(errs, required("medication"))
	}
	if strings.TrimSpace(d.Dose) == "" {
		errs = append(errs, required("dose"))
	}
	if d.Due.IsZero() {
		errs = append(errs, required("due"))
	}
	if d.WindowMinutes < 0 || d.WindowMinutes > MaxDoseWindowMinutes {
		errs = append(errs, invalidKey("window_minutes", fmt.Sprintf("must be 0–%d", MaxDoseWindowMinutes), KeyRange, "0", strconv.Itoa(MaxDoseWindowMinutes)))
	}
	return errors.Join(errs...)
}
