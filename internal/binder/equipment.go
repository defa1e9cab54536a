package binder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
)

// KeyWeek is the catalogue key of a malformed week (field first).
const KeyWeek = "error.field.week"

// Equipment groups, in the order the weekly printout lists them (the
// Sandefjord routine's three overviews): life-critical equipment that
// needs power, other equipment and welfare technology that needs power,
// then safety alarms. A patient is listed once, in the first group that
// applies, with all of their equipment.
const (
	groupLifeCritical = iota
	groupPower
	groupAlarm
	groupNone
)

// equipmentGroup places a patient in the weekly list, or in groupNone when
// nothing on the card needs power or raises the alarm.
func equipmentGroup(p care.Patient) int {
	for _, e := range p.Equipment {
		if e.LifeCritical {
			return groupLifeCritical
		}
	}
	if p.PowerDependent() || p.MedicationDispenser {
		return groupPower
	}
	if p.SafetyAlarm {
		return groupAlarm
	}
	return groupNone
}

// OnEquipmentList reports whether the weekly equipment list holds p: a
// patient with life-critical or power-dependent equipment, a medication
// dispenser or a safety alarm.
func OnEquipmentList(p care.Patient) bool { return equipmentGroup(p) != groupNone }

// EquipmentData is the weekly list of the patients whose safety depends on
// power or on a safety alarm, for one or more units.
type EquipmentData struct {
	Units     []care.Unit
	Patients  []care.Patient // the units' patients; only those on the list are printed
	Week      time.Time      // the Monday the week starts, in Location
	Location  *time.Location
	Lang      string
	Generated time.Time
}

// ParseWeek reads an ISO week, "2026-W12", and returns its Monday at
// midnight in loc; an empty string is the week that holds now.
func ParseWeek(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		now = now.In(loc)
		monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
		return time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, loc), nil
	}
	bad := care.Invalid("week", "week must be an ISO week, YYYY-Www", KeyWeek)
	y, w, ok := strings.Cut(s, "-W")
	if !ok || len(y) != 4 || len(w) != 2 {
		return time.Time{}, bad
	}
	year, err1 := strconv.Atoi(y)
	week, err2 := strconv.Atoi(w)
	if err1 != nil || err2 != nil || year < 1900 || week < 1 {
		return time.Time{}, bad
	}
	// 28 December is always in the last ISO week of its year.
	if _, last := time.Date(year, 12, 28, 12, 0, 0, 0, time.UTC).ISOWeek(); week > last {
		return time.Time{}, bad
	}
	// 4 January is always in week 1.
	jan4 := time.Date(year, 1, 4, 12, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(week-1)*7)
	return time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, loc), nil
}

// WeekName is the ISO name of the week that starts on monday, "2026-W12".
func WeekName(monday time.Time) string {
	y, w := monday.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// LoadEquipment gathers the weekly equipment list of the units in want
// (every unit when want is nil).
func LoadEquipment(ctx context.Context, db store.Schedule, want []string, week time.Time, loc *time.Location, lang string) (EquipmentData, error) {
	if !slices.Contains(i18n.Languages(), lang) {
		return EquipmentData{}, care.Invalid("lang", "lang must be one of "+strings.Join(i18n.Languages(), ", "), care.KeyOneOf, strings.Join(i18n.Languages(), ", "))
	}
	all, err := db.Units(ctx)
	if err != nil {
		return EquipmentData{}, fmt.Errorf("equipment list: units: %w", err)
	}
	d := EquipmentData{Week: week.In(loc), Location: loc, Lang: lang}
	for _, id := range want {
		if !slices.ContainsFunc(all, func(u care.Unit) bool { return u.ID == id }) {
			return EquipmentData{}, fmt.Errorf("no unit %q: %w", id, store.ErrNotFound)
		}
	}
	for _, u := range all {
		if want != nil && !slices.Contains(want, u.ID) {
			continue
		}
		d.Units = append(d.Units, u)
		ps, err := db.PatientsByUnit(ctx, u.ID)
		if err != nil {
			return EquipmentData{}, fmt.Errorf("equipment list: patients: %w", err)
		}
		d.Patients = append(d.Patients, ps...)
	}
	return d, nil
}

// Listed returns the patients the list prints, in its order: by unit (in
// the order of Units), then group, then name.
func (e EquipmentData) Listed() []care.Patient {
	lang := i18n.Pick(e.Lang)
	unitRank := map[string]int{}
	for i, u := range e.Units {
		unitRank[u.ID] = i
	}
	var out []care.Patient
	for _, p := range e.Patients {
		if OnEquipmentList(p) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b care.Patient) int {
		if c := unitRank[a.UnitID] - unitRank[b.UnitID]; c != 0 {
			return c
		}
		if c := equipmentGroup(a) - equipmentGroup(b); c != 0 {
			return c
		}
		if c := compareNames(lang, a.Name, b.Name); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out
}

// RenderEquipment writes the weekly equipment list as an A4 PDF.
func RenderEquipment(ctx context.Context, w io.Writer, e EquipmentData) error {
	if w == nil {
		return errors.New("equipment list: nil writer")
	}
	loc := e.Location
	if loc == nil {
		loc = e.Week.Location()
	}
	unit := care.Unit{}
	switch len(e.Units) {
	case 1:
		unit = e.Units[0]
	default:
		unit.Name = i18n.T(i18n.Pick(e.Lang), "equipment.all_units")
	}
	in := prepare(Data{Unit: unit, Day: e.Week, Location: loc, Lang: e.Lang, Generated: e.Generated})
	return renderPasses(ctx, w, "equipment list", func(total int) (*doc, bool, error) {
		d, err := layoutEquipment(ctx, in, e, total)
		return d, true, err
	})
}

func layoutEquipment(ctx context.Context, in *input, e EquipmentData, total int) (*doc, error) {
	p := fpdf.New("P", "mm", "A4", "")
	d := newDoc(ctx, p)
	d.in, d.total = in, total
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("equipment list: load cp1252 translation: %w", err)
	}
	sunday := in.day.AddDate(0, 0, 6)
	_, week := in.day.ISOWeek()
	d.heading = d.t("equipment.week", week, i18n.Date(in.lang, in.day), i18n.Date(in.lang, sunday))
	d.docTitle = d.t("equipment.short_title")
	stamp := in.Generated
	if stamp.IsZero() {
		stamp = in.day
	}
	setUpPDF(p, stamp)
	p.SetTitle(d.t("equipment.title")+" – "+in.Unit.Name+" – "+d.heading, true)
	p.SetCreator("Beredskap", true)
	p.SetLang(langTag(in.lang))
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)

	d.addPage()
	d.title(d.t("equipment.title"))
	d.para([]span{{text: in.Unit.Name + " · " + d.heading, style: "B"}, {text: d.t("equipment.intro"), style: "I", size: 9}}, marginX, bodyW, 10, "L")
	d.gap(3)
	listed := e.Listed()
	if len(listed) == 0 {
		d.para([]span{{text: d.t("equipment.none"), style: "I"}}, marginX, bodyW, 10, "L")
	}
	unitName := map[string]string{}
	for _, u := range e.Units {
		unitName[u.ID] = u.Name
	}
	var t *table
	curUnit, curGroup := "", -1
	for _, pt := range listed {
		if d.stopped() {
			break
		}
		if len(e.Units) > 1 && pt.UnitID != curUnit {
			curUnit, curGroup = pt.UnitID, -1
			d.gap(2)
			d.ensure(40)
			d.para([]span{{text: unitName[pt.UnitID], style: "B", size: 13}}, marginX, bodyW, 13, "L")
			d.gap(1)
		}
		if g := equipmentGroup(pt); g != curGroup {
			curGroup = g
			heading := d.t(fmt.Sprintf("equipment.group.%d", g))
			if len(e.Units) > 1 {
				heading = unitName[pt.UnitID] + ": " + heading
			}
			d.gap(2)
			t = d.equipmentTable(heading)
			t.band(heading)
		}
		t.row(d.equipmentRow(pt), 12)
	}
	if d.err != nil {
		return d, fmt.Errorf("equipment list: layout stopped: %w", d.err)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("equipment list: lay out PDF: %w", err)
	}
	return d, nil
}

func (d *doc) equipmentTable(caption string) *table {
	t := &table{d: d, size: 8, headSize: 7.5, keyCols: 1, caption: func() { d.continued(caption) }, cols: []col{
		{head: d.t("binder.col.patient"), w: 32, align: "L"},
		{head: d.t("binder.col.address"), w: 28, align: "L"},
		{head: d.t("card.equipment"), w: 34, align: "L"},
		{head: d.t("equipment.col.power_fails"), w: 36, align: "L"},
		{head: d.t("card.relatives"), w: 28, align: "L"},
		{head: d.t("card.nurse"), w: 22, align: "L"},
	}}
	t.start(14)
	return t
}

func (d *doc) equipmentRow(p care.Patient) []cell {
	who := cellOf(span{text: p.Name, style: "B"})
	if p.BirthDate != "" {
		who.spans = append(who.spans, span{text: d.t("binder.card.born", d.date(p.BirthDate)), size: 7})
	}
	who.spans = append(who.spans, span{text: d.t("binder.col.priority") + ": " + d.priorityLabel(p.Priority), size: 7})
	who.fill = equipmentGroup(p) == groupLifeCritical
	var equip, todo []span
	for _, e := range p.Equipment {
		var marks []string
		if e.LifeCritical {
			marks = append(marks, strings.ToUpper(d.t("card.life_critical")))
		}
		if e.PowerDependent {
			marks = append(marks, d.t("card.power"))
		}
		s, style := e.Name, ""
		if len(marks) > 0 {
			s += " – " + strings.Join(marks, ", ")
		}
		if e.LifeCritical {
			style = "B"
		}
		equip = append(equip, span{text: s, style: style})
		if strings.TrimSpace(e.Note) != "" {
			todo = append(todo, span{text: e.Name + ": " + e.Note})
		}
	}
	// The flags come from the card too: a safety alarm or a dispenser
	// that is not listed as equipment is still on the list.
	if p.SafetyAlarm && !hasEquipment(p, "binder.flag.alarm", d) {
		equip = append(equip, span{text: d.t("equipment.alarm")})
	}
	if p.MedicationDispenser && !hasEquipment(p, "binder.flag.dispenser", d) {
		equip = append(equip, span{text: d.t("equipment.dispenser")})
	}
	if len(todo) == 0 {
		todo = []span{{text: d.t("equipment.no_note"), style: "I"}}
	}
	var rel []span
	for _, r := range p.Relatives {
		rel = append(rel, span{text: contact(r)})
	}
	if len(rel) == 0 {
		rel = []span{{text: d.t("binder.card.none"), style: "I"}}
	}
	nurse := cellOf(span{text: d.t("binder.card.none"), style: "I"})
	if strings.TrimSpace(p.ResponsibleNurse.Name) != "" {
		nurse = cellOf(span{text: p.ResponsibleNurse.Name}, span{text: p.ResponsibleNurse.Phone, style: "B"})
	}
	return []cell{who, text(p.Address), {spans: equip}, {spans: todo}, {spans: rel}, nurse}
}

// hasEquipment reports whether one of p's equipment names already says
// what the flag key says (the demo's "Trygghetsalarm"), so the list does
// not print it twice.
func hasEquipment(p care.Patient, key string, d *doc) bool {
	word := strings.ToLower(d.t(key))
	return slices.ContainsFunc(p.Equipment, func(e care.Equipment) bool {
		return strings.Contains(strings.ToLower(e.Name), word)
	})
}
