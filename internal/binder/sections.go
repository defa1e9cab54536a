package binder

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// cover is the first page: what this binder is, for which unit and day, how
// to use it, and where each part starts.
func (d *doc) cover() {
	d.addPage()
	p := d.pdf
	p.SetXY(marginX, bodyTop+14)
	d.para([]span{{text: d.t("binder.title"), style: "B", size: 28}}, marginX, bodyW, 0, "L")
	d.gap(2)
	d.para([]span{{text: d.in.Unit.Name, style: "B", size: 20}}, marginX, bodyW, 0, "L")
	d.gap(1)
	d.para([]span{{text: d.dayText(), size: 16}}, marginX, bodyW, 0, "L")
	if d.days > 1 {
		d.para([]span{{text: d.t("binder.day_of", d.day, d.days), style: "B", size: 12}}, marginX, bodyW, 0, "L")
	}
	d.gap(3)
	info := []span{{text: d.t("binder.cover.summary", len(d.in.Patients), len(d.in.visits), len(d.in.doses))}}
	if g := d.generatedText(); g != "" {
		info = append(info, span{text: g})
	}
	d.para(info, marginX, bodyW, 11, "L")
	d.gap(8)

	// The instructions sit in a heavy box: it is the one thing everyone
	// must read before writing in the binder.
	items := []string{"binder.cover.use_when", "binder.cover.by_hand", "binder.cover.afterwards", "binder.cover.locked"}
	const pad, indent = 5.0, 6.0
	inner := bodyW - 2*pad
	boxH := 2*pad + height(d.lines([]span{{text: d.t("binder.cover.howto"), style: "B"}}, inner, 13)) + 2
	for _, k := range items {
		boxH += height(d.lines([]span{{text: d.t(k)}}, inner-indent, 11)) + 2
	}
	d.ensure(boxH)
	y0 := d.y()
	p.SetXY(marginX, y0+pad)
	d.para([]span{{text: d.t("binder.cover.howto"), style: "B"}}, marginX+pad, inner, 13, "L")
	d.gap(2)
	for i, k := range items {
		style := ""
		if k == "binder.cover.locked" {
			style = "B"
		}
		y := d.y()
		d.font("B", 11)
		p.SetXY(marginX+pad, y)
		p.CellFormat(indent, lineHeight(11), fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		d.para([]span{{text: d.t(k), style: style}}, marginX+pad+indent, inner-indent, 11, "L")
		d.gap(2)
	}
	p.SetLineWidth(0.8)
	p.Rect(marginX, y0, bodyW, d.y()-y0+pad-2, "D")
	p.SetLineWidth(0.2)
	p.SetXY(marginX, d.y()+pad+8)

	d.para([]span{{text: d.t("binder.cover.contents"), style: "B"}}, marginX, bodyW, 13, "L")
	d.gap(2)
	for _, e := range d.prevTOC {
		x, size, style := marginX, 11.0, "B"
		if e.level > 0 {
			x, size, style = marginX+8, 10, ""
		}
		page := d.t("binder.cover.page", e.page)
		d.font(style, size)
		pw := d.width(page)
		ls := d.lines([]span{{text: e.title, style: style}}, marginX+bodyW-x-pw-12, size)
		d.ensure(height(ls))
		y := d.y()
		d.drawLines(ls, x, y, bodyW, "L")
		last := ls[len(ls)-1]
		d.font(style, size)
		// Dot leaders carry the eye from a title to its page number.
		lw := d.width(last.text)
		dots := ""
		if n := int((marginX + bodyW - pw - x - lw - 4) / d.width(" .")); n > 0 {
			dots = strings.Repeat(" .", n)
		}
		ly := y + height(ls) - last.h
		d.font("", size)
		p.SetXY(x+lw+1, ly)
		p.CellFormat(marginX+bodyW-pw-x-lw-3, last.h, dots, "", 0, "L", false, 0, "")
		d.font(style, size)
		p.SetXY(marginX, ly)
		p.CellFormat(bodyW, last.h, d.tr(page), "", 0, "R", false, 0, "")
		p.SetXY(marginX, y+height(ls)+1)
	}
}

// priorityLabel is a priority in words, since a number alone or a colour
// does not survive photocopying or a tired reader.
func (d *doc) priorityLabel(p care.Priority) string {
	if !p.Valid() {
		return "–"
	}
	return fmt.Sprintf("%d – %s", int(p), d.t(fmt.Sprintf("priority.%d", int(p))))
}

// flags lists the reasons a patient is especially vulnerable in an outage.
func (d *doc) flags(p care.Patient) []string {
	var fs []string
	for _, f := range p.Flags() {
		fs = append(fs, d.t("binder.flag."+f))
	}
	return fs
}

// priorityList lists every patient of the unit, most urgent first, for the
// coordinator who must decide whom to see when there are not enough hands.
func (d *doc) priorityList() {
	title := d.t("binder.section.priority")
	d.section(title)
	d.para([]span{{text: d.t("binder.priority.intro")}, {text: d.t("binder.priority.legend"), style: "B", size: 9}}, marginX, bodyW, 10, "L")
	d.gap(3)
	if len(d.in.Patients) == 0 {
		d.para([]span{{text: d.t("binder.priority.none"), style: "I"}}, marginX, bodyW, 10, "L")
		return
	}
	first := map[string]time.Time{}
	for _, v := range d.in.visits {
		if t, ok := first[v.PatientID]; !ok || v.Start.Before(t) {
			first[v.PatientID] = v.Start
		}
	}
	ps := slices.Clone(d.in.Patients)
	rank := func(p care.Priority) int {
		if p.Valid() {
			return int(p)
		}
		return int(care.PriorityNormal) + 1
	}
	slices.SortStableFunc(ps, func(a, b care.Patient) int {
		if c := rank(a.Priority) - rank(b.Priority); c != 0 {
			return c
		}
		if c := compareNames(d.in.lang, a.Name, b.Name); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	t := &table{d: d, size: 8.5, headSize: 8, keyCols: 2, caption: func() { d.continued(title) }, cols: []col{
		{head: d.t("binder.col.priority"), w: 24, align: "L"},
		{head: d.t("binder.col.name"), w: 42, align: "L"},
		{head: d.t("binder.col.address"), w: 42, align: "L"},
		{head: d.t("binder.col.flags"), w: 52, align: "L"},
		{head: d.t("binder.col.first_visit"), w: 20, align: "L"},
	}}
	t.start(10)
	for _, p := range ps {
		// The number leads so the eye can run down the column; the word
		// under it says what the number means.
		prio := text("–")
		if p.Priority.Valid() {
			style := ""
			if p.Priority == care.PriorityVital {
				style = "B"
			}
			prio = cellOf(span{text: fmt.Sprint(int(p.Priority)), style: "B", size: 10},
				span{text: d.t(fmt.Sprintf("priority.%d", int(p.Priority))), style: style, size: 7.5})
			prio.fill = p.Priority == care.PriorityVital
		}
		name := cellOf(span{text: p.Name, style: "B"})
		if p.BirthDate != "" {
			name.spans = append(name.spans, span{text: d.t("binder.card.born", d.date(p.BirthDate)), size: 7})
		}
		visit := cellOf(span{text: d.t("binder.priority.not_today"), style: "I"})
		if at, ok := first[p.ID]; ok {
			visit = bold(d.clock(at))
		}
		t.row([]cell{prio, name, text(p.Address), text(strings.Join(d.flags(p), ", ")), visit}, 9)
	}
}

// workerGroup is one worker's visits.
type workerGroup struct {
	id, name string
	visits   []care.Visit
}

func (d *doc) workerGroups() []workerGroup {
	idx := map[string]int{}
	var gs []workerGroup
	for _, v := range d.in.visits {
		i, ok := idx[v.WorkerID]
		if !ok {
			name := d.in.Workers[v.WorkerID]
			switch {
			case v.WorkerID == "":
				name = d.t("binder.unassigned")
			case strings.TrimSpace(name) == "":
				name = v.WorkerID
			}
			i = len(gs)
			idx[v.WorkerID] = i
			gs = append(gs, workerGroup{id: v.WorkerID, name: name})
		}
		gs[i].visits = append(gs[i].visits, v)
	}
	// Unassigned visits go last: they are the coordinator's to hand out.
	slices.SortFunc(gs, func(a, b workerGroup) int {
		if (a.id == "") != (b.id == "") {
			if a.id == "" {
				return 1
			}
			return -1
		}
		if c := compareNames(d.in.lang, a.name, b.name); c != 0 {
			return c
		}
		return compareStrings(a.id, b.id)
	})
	return gs
}

// visitLists gives each worker their day on paper, with room to sign each
// visit off.
func (d *doc) visitLists() {
	for i, g := range d.workerGroups() {
		title := d.t("binder.visits.title", g.name)
		d.addPage()
		if i == 0 {
			d.mark(d.t("binder.section.visits"), 0)
		}
		d.mark(g.name, 1)
		d.title(title)
		d.para([]span{{text: d.dayText() + " · " + d.t("binder.visits.count", len(g.visits)), style: "B"},
			{text: d.t("binder.visits.howto"), style: "I", size: 9}}, marginX, bodyW, 10, "L")
		d.gap(3)
		t := &table{d: d, size: 8.5, headSize: 8, keyCols: 3, caption: func() { d.continued(title) }, cols: []col{
			{head: d.t("binder.col.time"), w: 13, align: "L"},
			{head: d.t("binder.col.duration"), w: 16, align: "L"},
			{head: d.t("binder.col.patient"), w: 33, align: "L"},
			{head: d.t("binder.col.address"), w: 30, align: "L"},
			{head: d.t("binder.col.access"), w: 30, align: "L"},
			{head: d.t("binder.col.tasks"), w: 35, align: "L"},
			{head: d.t("binder.col.done"), w: 23, align: "L"},
		}}
		t.start(14)
		for _, v := range g.visits {
			p := d.in.patient(v.PatientID)
			who := cellOf(span{text: p.Name, style: "B"})
			switch {
			case p.Priority == care.PriorityVital:
				who.spans = append(who.spans, span{text: strings.ToUpper(d.t("priority.1")), style: "B", size: 7.5})
				who.fill = true
			case p.Priority.Valid():
				who.spans = append(who.spans, span{text: d.t(fmt.Sprintf("priority.%d", int(p.Priority))), style: "I", size: 7.5})
			}
			tasks := make([]span, len(v.Tasks))
			for k, task := range v.Tasks {
				tasks[k] = span{text: "• " + task}
			}
			t.row([]cell{
				bold(d.clock(v.Start)),
				text(d.duration(v.DurationMinutes)),
				who,
				text(p.Address),
				text(p.AccessInfo),
				cellOf(tasks...),
				{},
			}, 14)
		}
		t.band(d.t("binder.visits.extra"))
		for range 2 {
			t.row(make([]cell, len(t.cols)), 14)
		}
	}
}

func (d *doc) duration(minutes int) string {
	return i18n.Duration(d.in.lang, time.Duration(minutes)*time.Minute)
}

// personCards prints the person card of every patient visited today, so
// that a worker at the door, or a stand-in, knows what matters.
func (d *doc) personCards() {
	ids := map[string]bool{}
	for _, v := range d.in.visits {
		ids[v.PatientID] = true
	}
	if len(ids) == 0 {
		return
	}
	d.section(d.t("binder.section.cards"))
	d.para([]span{{text: d.t("binder.cards.intro"), style: "I"}}, marginX, bodyW, 10, "L")
	d.gap(3)
	for i, p := range d.in.sortedPatients(ids) {
		if i > 0 {
			d.gap(7)
		}
		d.card(p)
	}
}

// contact is one contact on one line: name, relation and phone number.
func contact(c care.Contact) string {
	s := strings.TrimSpace(c.Name)
	if c.Relation != "" {
		s += " (" + c.Relation + ")"
	}
	if c.Phone != "" {
		s += " – " + c.Phone
	}
	return s
}

func (d *doc) card(p care.Patient) {
	none := cellOf(span{text: d.t("binder.card.none"), style: "I"})
	list := func(items []string, style string) cell {
		var ss []span
		for _, it := range items {
			if strings.TrimSpace(it) != "" {
				ss = append(ss, span{text: it, style: style})
			}
		}
		if len(ss) == 0 {
			return none
		}
		return cell{spans: ss}
	}
	label := func(key string) cell { return bold(d.t(key)) }
	// Warnings and allergies are what hurts when missed: shaded, bold and
	// in capitals, so they stand out without colour.
	loud := func(key string) cell {
		c := bold(strings.ToUpper(d.t(key)))
		c.fill = true
		return c
	}

	warn := list(p.Warnings, "B")
	warn.fill = true
	allergy := list(p.Allergies, "B")
	allergy.fill = true
	var equipment []span
	for _, e := range p.Equipment {
		s, style := e.Name, ""
		var marks []string
		if e.LifeCritical {
			marks = append(marks, strings.ToUpper(d.t("card.life_critical")))
		}
		if e.PowerDependent {
			marks = append(marks, strings.ToUpper(d.t("card.power")))
		}
		if len(marks) > 0 {
			s += " – " + strings.Join(marks, ", ")
			style = "B"
		}
		if e.Note != "" {
			s += ". " + e.Note
		}
		equipment = append(equipment, span{text: s, style: style})
	}
	equip := cell{spans: equipment}
	if len(equipment) == 0 {
		equip = none
	}
	var relatives []string
	for _, r := range p.Relatives {
		relatives = append(relatives, contact(r))
	}
	rows := [][]cell{
		{label("card.address"), text(p.Address)},
		{label("card.access"), text(p.AccessInfo)},
		{loud("card.warnings"), warn},
		{loud("card.allergies"), allergy},
		{label("card.equipment"), equip},
	}
	if fs := d.flags(p); len(fs) > 0 {
		rows = append(rows, []cell{label("binder.col.flags"), text(strings.Join(fs, ", "))})
	}
	rows = append(rows,
		[]cell{label("card.nurse"), list([]string{contact(p.ResponsibleNurse)}, "")},
		[]cell{label("card.gp"), list([]string{contact(p.GP)}, "")},
		[]cell{label("card.relatives"), list(relatives, "")},
	)

	t := &table{d: d, size: 9.5, noHead: true, keyCols: 1, cols: []col{
		{w: 42, align: "L"},
		{w: bodyW - 42, align: "L"},
	}}
	t.caption = func() { d.cardBar(p, true) }
	total := d.cardBarHeight(p, false)
	for _, r := range rows {
		total += t.rowHeight(r, 7)
	}
	// Keep a card on one page when it fits on one; otherwise at least
	// keep the name bar with the first rows.
	if d.y()+total > bodyBottom && (total <= bodyBottom-bodyTop || d.left() < 60) {
		d.addPage()
	}
	d.cardBar(p, false)
	for _, r := range rows {
		t.row(r, 7)
	}
}

// cardBarText returns the two sides of a card's name bar.
func (d *doc) cardBarText(p care.Patient, cont bool) (name, facts string) {
	name = p.Name
	if cont {
		name += " " + d.t("binder.continued")
	}
	var fs []string
	if p.BirthDate != "" {
		fs = append(fs, d.t("binder.card.born", d.date(p.BirthDate)))
	}
	fs = append(fs, d.t("binder.col.priority")+": "+d.priorityLabel(p.Priority))
	return name, strings.Join(fs, " · ")
}

func (d *doc) cardBarLayout(p care.Patient, cont bool) (nameLines, factLines []line, factW, h float64) {
	name, facts := d.cardBarText(p, cont)
	d.font("B", 10)
	factW = math.Min(d.width(facts)+1, bodyW/2)
	nameLines = d.lines([]span{{text: name, style: "B"}}, bodyW-factW-3*cellPad-2, 13)
	factLines = d.lines([]span{{text: facts, style: "B"}}, factW, 10)
	h = math.Max(height(nameLines), height(factLines)) + 2*cellPad + 1
	return
}

func (d *doc) cardBarHeight(p care.Patient, cont bool) float64 {
	_, _, _, h := d.cardBarLayout(p, cont)
	return h
}

// cardBar is the card's shaded name bar with birth date and priority.
func (d *doc) cardBar(p care.Patient, cont bool) {
	nl, fl, fw, h := d.cardBarLayout(p, cont)
	if d.y()+h > bodyBottom {
		d.addPage()
	}
	y := d.y()
	d.pdf.SetFillColor(greyMid, greyMid, greyMid)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Rect(marginX, y, bodyW, h, "FD")
	d.pdf.SetLineWidth(0.2)
	d.drawLines(nl, marginX+cellPad, y+cellPad+0.5, bodyW-fw-3*cellPad, "L")
	d.drawLines(fl, marginX+bodyW-fw-cellPad, y+cellPad+1.2, fw, "R")
	d.pdf.SetXY(marginX, y+h)
}
