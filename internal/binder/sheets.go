package binder

import (
	"fmt"
	"strings"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// Room for handwriting, in millimetres.
const (
	doseRowH   = 15.0 // fits the three outcome words stacked for circling
	blankDoses = 4    // rows for unscheduled and as-needed doses
	noteLines  = 3
	noteGap    = 7.5
	keyRows    = 3
	keyRowH    = 7.5
)

// signingSheets prints one medication signing sheet per patient with doses
// today, pre-filled with the schedule so that only the administration is
// written by hand.
func (d *doc) signingSheets() {
	byPatient := map[string][]care.ScheduledDose{}
	ids := map[string]bool{}
	for _, ds := range d.in.doses {
		byPatient[ds.PatientID] = append(byPatient[ds.PatientID], ds)
		ids[ds.PatientID] = true
	}
	// A patient with as-needed medications gets a sheet even on a day
	// without scheduled doses: the dose may be needed today all the same.
	for _, p := range d.in.Patients {
		if len(p.PRN) > 0 {
			ids[p.ID] = true
		}
	}
	for i, p := range d.in.sortedPatients(ids) {
		d.addPage()
		if i == 0 {
			d.mark(d.t("binder.section.doses"), 0)
		}
		d.signingSheet(p, byPatient[p.ID])
	}
}

func (d *doc) signingSheet(p care.Patient, doses []care.ScheduledDose) {
	title := d.t("binder.doses.title")
	cont := func() { d.continued(title + ": " + p.Name) }
	// The date goes in the title rather than a row of its own: a sheet
	// with up to four doses then fits one page.
	d.title(title + " – " + d.dayText())
	d.cardBar(p, false)
	allergies := cellOf(span{text: d.t("binder.card.none"), style: "I"})
	if len(p.Allergies) > 0 {
		allergies = bold(strings.Join(p.Allergies, ", "))
	}
	allergies.fill = true
	facts := &table{d: d, size: 9.5, noHead: true, cols: []col{{w: 42, align: "L"}, {w: bodyW - 42, align: "L"}}}
	label := bold(strings.ToUpper(d.t("card.allergies")))
	label.fill = true
	facts.row([]cell{bold(d.t("card.address")), text(p.Address)}, 6)
	facts.row([]cell{label, allergies}, 6)
	d.gap(4)

	// Larger than the table text so the three words sit far enough apart to
	// circle one without touching the others.
	outcome := cellOf(
		span{text: d.t("binder.doses.given"), size: 9},
		span{text: d.t("binder.doses.refused"), size: 9},
		span{text: d.t("binder.doses.withheld"), size: 9},
	)
	t := &table{d: d, size: 8.5, headSize: 7.5, keyCols: 2, caption: cont, cols: []col{
		{head: d.t("binder.col.due"), w: 13, align: "L"},
		{head: d.t("binder.col.medication"), w: 30, align: "L"},
		{head: d.t("binder.col.dose"), w: 19, align: "L"},
		{head: d.t("binder.col.route"), w: 23, align: "L"},
		{head: d.t("binder.col.double"), w: 15, align: "L"},
		{head: d.t("binder.col.time_given"), w: 13, align: "L"},
		{head: d.t("binder.col.outcome"), w: 23, align: "L"},
		{head: d.t("binder.col.signature"), w: 22, align: "L"},
		{head: d.t("binder.col.signature2"), w: 22, align: "L"},
	}}
	t.start(doseRowH)
	for _, ds := range doses {
		double, second := d.secondSigner(ds.NeedsCosign())
		t.row([]cell{
			bold(d.clock(ds.Due)),
			bold(ds.Medication),
			text(ds.Dose),
			text(ds.Route),
			double,
			{},
			outcome,
			{},
			second,
		}, doseRowH)
	}
	if len(p.PRN) > 0 {
		t.band(d.t("binder.doses.prn"))
		for _, m := range p.PRN {
			t.row(d.prnRow(m, outcome), doseRowH)
		}
	}
	t.band(d.t("binder.doses.unscheduled"))
	for range blankDoses {
		t.row([]cell{{}, {}, {}, {}, {}, {}, outcome, {}, {}}, doseRowH)
	}
	d.gap(2)
	legend := d.lines([]span{{text: d.t("binder.doses.legend"), style: "I"}}, bodyW, 8.5)
	d.ensureOr(height(legend), cont)
	d.para([]span{{text: d.t("binder.doses.legend"), style: "I"}}, marginX, bodyW, 8.5, "L")
	d.gap(3)

	// Notes: ruled lines, because reasons for a refused dose get written
	// here and must stay legible.
	d.ensureOr(lineHeight(10)+noteLines*noteGap, cont)
	d.para([]span{{text: d.t("binder.doses.notes"), style: "B"}}, marginX, bodyW, 10, "L")
	for range noteLines {
		d.ensureOr(noteGap, cont)
		y := d.y() + noteGap
		d.pdf.Line(marginX, y, marginX+bodyW, y)
		d.pdf.SetXY(marginX, y)
	}
	d.gap(4)

	// The signature key lets whoever enters the sheet afterwards tell
	// whose signature is whose.
	key := d.t("binder.doses.sign_key")
	kt := &table{d: d, size: 9, headSize: 8, caption: cont, cols: []col{
		{head: d.t("binder.col.signature"), w: 40, align: "L"},
		{head: d.t("binder.col.print_name"), w: 90, align: "L"},
		{head: d.t("binder.col.job"), w: 50, align: "L"},
	}}
	d.ensureOr(lineHeight(10)+1+kt.headHeight()+keyRows*keyRowH, cont)
	d.para([]span{{text: key, style: "B"}}, marginX, bodyW, 10, "L")
	d.gap(1)
	kt.start(keyRowH)
	for range keyRows {
		kt.row(nil, keyRowH)
	}
}

// secondSigner is a dose row's double-check cell and its second
// signature's: a marked "yes" and room to sign when the dose needs a
// second signer, dashes when it does not.
func (d *doc) secondSigner(needed bool) (double, second cell) {
	if !needed {
		return text("–"), text("–")
	}
	double = bold(d.t("binder.doses.yes"))
	double.fill = true
	return double, cell{}
}

// prnRow is an as-needed medication's row on the signing sheet: what it
// is given for and its limits printed, so that whoever gives it on paper
// checks the same rules the phone checks (care/prn.go).
func (d *doc) prnRow(m care.PRNMedication, outcome cell) []cell {
	const small = 7.5
	rule := d.t("prn.rule_no_interval", m.Dose, m.MaxPer24h)
	if m.MinIntervalMinutes > 0 {
		rule = d.t("prn.rule", m.Dose, i18n.Duration(d.in.lang, m.MinInterval()), m.MaxPer24h)
	}
	what := cellOf(span{text: m.Medication, style: "B"})
	if len(m.Indications) > 0 {
		what.spans = append(what.spans, span{text: d.t("prn.indications", strings.Join(m.Indications, ", ")), size: small})
	}
	double, second := d.secondSigner(m.Controlled)
	return []cell{
		cellOf(span{text: d.t("prn.title"), style: "B", size: small}),
		what,
		cellOf(span{text: rule, size: small}),
		text(m.Route),
		double,
		{},
		outcome,
		{},
		second,
	}
}

// routines prints each emergency routine as an action card: what happened,
// what to do step by step, and whom to call.
func (d *doc) routines() {
	d.section(d.t("binder.section.routines"))
	if len(d.in.Routines) == 0 {
		d.para([]span{{text: d.t("binder.routine.none"), style: "I"}}, marginX, bodyW, 10, "L")
		return
	}
	for i, r := range d.in.Routines {
		if i > 0 {
			// A routine starts a page when it would otherwise be split but
			// fits on one, or when too little is left for its first steps.
			need := d.routineHeight(r) + 12
			if (d.y()+need > bodyBottom && need <= bodyBottom-bodyTop) || d.left() < 60 {
				d.addPage()
			} else {
				d.gap(5)
				d.pdf.SetLineWidth(0.5)
				d.pdf.Line(marginX, d.y(), marginX+bodyW, d.y())
				d.pdf.SetLineWidth(0.2)
				d.gap(6)
			}
		}
		d.routine(r)
	}
}

// scenarioText names a routine's scenario in words; an unknown scenario is
// printed as stored rather than as a catalogue key.
func (d *doc) scenarioText(s care.Scenario) string {
	if key := "scenario." + string(s); i18n.Has(d.in.lang, key) {
		return d.t(key)
	}
	return string(s)
}

const stepIndent = 8.0

func (d *doc) routineParts(r care.Routine) (head []span, steps [][]line, contacts *table) {
	head = []span{{text: r.Title, style: "B", size: 13}}
	if r.Scenario != "" {
		head = append(head, span{text: d.t("binder.routine.scenario", d.scenarioText(r.Scenario)), style: "I", size: 10})
	}
	for _, s := range r.Steps {
		steps = append(steps, d.lines([]span{{text: s}}, bodyW-stepIndent, 10))
	}
	contacts = &table{d: d, size: 9.5, headSize: 8.5, keyCols: 1, caption: func() { d.continued(r.Title) }, cols: []col{
		{head: d.t("binder.col.contact"), w: 62, align: "L"},
		{head: d.t("binder.col.role"), w: 76, align: "L"},
		{head: d.t("binder.col.phone"), w: 42, align: "L"},
	}}
	return head, steps, contacts
}

func contactRow(c care.Contact) []cell {
	return []cell{text(c.Name), text(c.Relation), bold(c.Phone)}
}

// routineHeight is the height of a routine, to decide where it starts.
func (d *doc) routineHeight(r care.Routine) float64 {
	head, steps, contacts := d.routineParts(r)
	h := height(d.lines(head, bodyW, 10)) + 3
	for _, s := range steps {
		h += height(s) + 1.5
	}
	if len(r.Contacts) > 0 {
		h += 3 + lineHeight(10) + 1 + contacts.headHeight()
		for _, c := range r.Contacts {
			h += contacts.rowHeight(contactRow(c), 6)
		}
	}
	if r.Revised != "" {
		h += 2 + lineHeight(9)
	}
	return h
}

func (d *doc) routine(r care.Routine) {
	head, steps, contacts := d.routineParts(r)
	d.para(head, marginX, bodyW, 10, "L")
	d.gap(3)
	for i, ls := range steps {
		if len(ls) == 0 {
			continue
		}
		// Keep a step's lines together unless the step is longer than a
		// third of a page.
		if h := height(ls); h < 80 {
			d.ensure(h)
		} else {
			d.ensure(ls[0].h)
		}
		d.font("B", 10)
		d.pdf.SetXY(marginX, d.y())
		d.pdf.CellFormat(stepIndent, ls[0].h, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		for _, l := range ls {
			d.ensure(l.h)
			d.drawLines([]line{l}, marginX+stepIndent, d.y(), bodyW-stepIndent, "L")
			d.pdf.SetXY(marginX, d.y()+l.h)
		}
		d.gap(1.5)
	}
	if len(r.Contacts) > 0 {
		d.gap(3)
		d.ensure(lineHeight(10) + 1 + contacts.headHeight() + 6)
		d.para([]span{{text: d.t("routines.contacts"), style: "B"}}, marginX, bodyW, 10, "L")
		d.gap(1)
		contacts.start(6)
		for _, c := range r.Contacts {
			contacts.row(contactRow(c), 6)
		}
	}
	if r.Revised != "" {
		d.gap(2)
		d.para([]span{{text: d.t("routines.revised", d.date(r.Revised)), style: "I"}}, marginX, bodyW, 9, "L")
	}
}
