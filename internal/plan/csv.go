package plan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"beredskap/internal/care"
)

// Columns are the CSV columns. A file has a header row naming the columns
// it uses, in any order; "kind" says what each row is: patient, visit or
// dose. Lists are separated by ";", and the parts of a contact or an
// equipment item by "|".
var Columns = []string{
	"kind", "source_id",
	// patient
	"unit", "name", "birth_date", "address", "access_info", "priority",
	"allergies", "warnings", "equipment", "relatives", "responsible_nurse", "gp",
	"lives_alone", "safety_alarm", "medication_dispenser",
	// visit and dose
	"patient_source_id",
	// visit
	"worker", "start", "duration_minutes", "tasks",
	// dose
	"visit_source_id", "medication", "dose", "route", "due", "double_check", "window_minutes",
	// prn (an as-needed medication of a patient in the same file; also
	// medication, dose and route)
	"indications", "min_interval_minutes", "max_per_24h", "effect_after_minutes",
	// dose and prn: a controlled drug, which needs a second signature
	"controlled",
}

// prnRow is a prn row, kept until every patient of the file is read.
type prnRow struct {
	patient string
	line    int
	prn     PRN
}

// countingReader counts bytes for a progress bar.
type countingReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress(c.n)
	}
	return n, err
}

// ParseCSV reads a plan from CSV. Times without a zone are read in loc.
// progress, when not nil, is told how many bytes have been read. Every
// problem found is returned, each with its line and column.
func ParseCSV(r io.Reader, loc *time.Location, progress func(int64)) (*Plan, []Problem) {
	tr := checkedText(&countingReader{r: r, progress: progress})
	cr := csv.NewReader(tr)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if tr.problem != nil {
		return nil, []Problem{*tr.problem}
	}
	if err != nil {
		return nil, []Problem{{Line: 1, Column: "header", Problem: "no header row: " + err.Error()}}
	}
	col := map[string]int{}
	var problems []Problem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range Columns {
			if c == h {
				known = true
			}
		}
		if !known {
			name := h
			if name == "" {
				name = fmt.Sprintf("column %d", i+1)
			}
			problems = append(problems, Problem{Line: 1, Column: name, Problem: "unknown column"})
			continue
		}
		col[h] = i
	}
	if _, ok := col["kind"]; !ok {
		problems = append(problems, Problem{Line: 1, Column: "kind", Problem: "the header needs a kind column"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	pl := &Plan{}
	var prns []prnRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if tr.problem != nil {
			return nil, []Problem{*tr.problem} // the rest cannot be read as text
		}
		if err != nil {
			// FieldPos is only valid after a successful Read.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			problems = append(problems, Problem{Line: line, Column: "row", Problem: err.Error()})
			if pe != nil && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		row := csvRow{rec: rec, col: col, line: line, loc: loc}
		switch kind := strings.ToLower(row.get("kind")); kind {
		case "patient":
			p := Patient{SourceID: row.get("source_id"), Unit: row.get("unit"), Name: row.get("name"), BirthDate: row.get("birth_date"),
				Address: row.get("address"), AccessInfo: row.get("access_info"),
				Allergies: row.list("allergies"), Warnings: row.list("warnings"), Equipment: row.equipment("equipment"),
				Relatives: row.contacts("relatives"), ResponsibleNurse: row.contact("responsible_nurse"), GP: row.contact("gp"),
				LivesAlone: row.flag("lives_alone"), SafetyAlarm: row.flag("safety_alarm"), MedicationDispenser: row.flag("medication_dispenser"),
				line: line}
			p.Priority = care.Priority(row.integer("priority"))
			pl.Patients = append(pl.Patients, p)
		case "visit":
			pl.Visits = append(pl.Visits, Visit{SourceID: row.get("source_id"), PatientSourceID: row.get("patient_source_id"),
				Worker: row.get("worker"), Start: row.time("start"), DurationMinutes: row.integer("duration_minutes"),
				Tasks: row.list("tasks"), line: line})
		case "dose":
			pl.Medications = append(pl.Medications, Dose{SourceID: row.get("source_id"), PatientSourceID: row.get("patient_source_id"),
				VisitSourceID: row.get("visit_source_id"), Medication: row.get("medication"), Dose: row.get("dose"), Route: row.get("route"),
				Due: row.time("due"), DoubleCheck: row.flag("double_check"), WindowMinutes: row.integer("window_minutes"),
				Controlled: row.flag("controlled"), line: line})
		case "prn":
			prns = append(prns, prnRow{patient: row.get("patient_source_id"), line: line, prn: PRN{SourceID: row.get("source_id"),
				Medication: row.get("medication"), Dose: row.get("dose"), Route: row.get("route"), Indications: row.list("indications"),
				MinIntervalMinutes: row.integer("min_interval_minutes"), MaxPer24h: row.integer("max_per_24h"),
				EffectAfterMinutes: row.integer("effect_after_minutes"), Controlled: row.flag("controlled")}})
		default:
			row.bad("kind", fmt.Sprintf("must be patient, visit, dose or prn, not %q", kind))
		}
		problems = append(problems, row.problems...)
	}
	// A PRN medication belongs to the person card, which an import
	// writes whole: its patient's row must be in the same file.
	for _, pr := range prns {
		found := false
		for i := range pl.Patients {
			if pl.Patients[i].SourceID == pr.patient && pr.patient != "" {
				pl.Patients[i].PRN = append(pl.Patients[i].PRN, pr.prn)
				found = true
				break
			}
		}
		if !found {
			problems = append(problems, Problem{Line: pr.line, Column: "patient_source_id",
				Problem: fmt.Sprintf("no patient %q in this file: a prn row goes with its patient's row", pr.patient)})
		}
	}
	return pl, problems
}

// csvRow reads the cells of one row by column name and collects what it
// cannot read.
type csvRow struct {
	rec      []string
	col      map[string]int
	line     int
	loc      *time.Location
	problems []Problem
}

func (r *csvRow) bad(column, problem string) {
	r.problems = append(r.problems, Problem{Line: r.line, Column: column, Problem: problem})
}

func (r *csvRow) get(column string) string {
	i, ok := r.col[column]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

func (r *csvRow) list(column string) []string {
	var out []string
	for _, part := range strings.Split(r.get(column), ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (r *csvRow) integer(column string) int {
	v := r.get(column)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.bad(column, fmt.Sprintf("%q is not a whole number", v))
	}
	return n
}

func (r *csvRow) flag(column string) bool {
	switch strings.ToLower(r.get(column)) {
	case "", "0", "no", "nei", "nej", "false":
		return false
	case "1", "yes", "ja", "true", "x":
		return true
	default:
		r.bad(column, fmt.Sprintf("%q is not yes or no", r.get(column)))
		return false
	}
}

// time reads RFC 3339, or "YYYY-MM-DD HH:MM" in the plan's time zone.
func (r *csvRow) time(column string) time.Time {
	v := r.get(column)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "02.01.2006 15:04"} {
		if t, err := time.ParseInLocation(layout, v, r.loc); err == nil {
			return t
		}
	}
	r.bad(column, fmt.Sprintf("%q is not a time (use 2026-11-24 08:30 or RFC 3339)", v))
	return time.Time{}
}

// contact reads "name|relation|phone" (or "name|phone").
func (r *csvRow) contact(column string) care.Contact {
	return parseContact(r.get(column))
}

func parseContact(v string) care.Contact {
	parts := strings.Split(v, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 1:
		return care.Contact{Name: parts[0]}
	case 2:
		return care.Contact{Name: parts[0], Phone: parts[1]}
	default:
		return care.Contact{Name: parts[0], Relation: parts[1], Phone: parts[2]}
	}
}

func (r *csvRow) contacts(column string) []care.Contact {
	var out []care.Contact
	for _, item := range r.list(column) {
		out = append(out, parseContact(item))
	}
	return out
}

// equipment reads "name|power+critical|note" items.
func (r *csvRow) equipment(column string) []care.Equipment {
	var out []care.Equipment
	for _, item := range r.list(column) {
		parts := strings.Split(item, "|")
		e := care.Equipment{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			for _, f := range strings.Split(parts[1], "+") {
				switch strings.ToLower(strings.TrimSpace(f)) {
				case "power":
					e.PowerDependent = true
				case "critical":
					e.LifeCritical = true
				case "":
				default:
					r.bad(column, fmt.Sprintf("unknown equipment flag %q (use power, critical)", f))
				}
			}
		}
		if len(parts) > 2 {
			e.Note = strings.TrimSpace(parts[2])
		}
		out = append(out, e)
	}
	return out
}
