// Package binder renders the printable emergency binder: the paper a home
// care unit works from when phones, the record system and the network are
// all down. It holds the day's visit lists, a person card per visited
// patient, pre-filled medication signing sheets, the priority list and the
// emergency routines, laid out to survive a black-and-white office printer.
package binder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/go-pdf/fpdf"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// Data is one unit's binder for one day.
type Data struct {
	Unit      care.Unit
	Day       time.Time // any time on the day; printed in Location
	Location  *time.Location
	Lang      string               // "nb", "sv", "da" or "en"
	Workers   map[string]string    // worker id -> name
	Patients  []care.Patient       // the unit's patients
	Visits    []care.Visit         // the unit's visits of the day
	Doses     []care.ScheduledDose // the day's doses for those patients
	Routines  []care.Routine
	Generated time.Time
}

// maxPasses bounds the layout passes. The cover's table of contents and the
// "page X of Y" header need page numbers that are known only after a full
// layout, so the binder is laid out until the numbers stop changing; the
// second pass is stable unless the contents spill onto a second cover page.
const maxPasses = 4

// Render writes the binder as an A4 PDF. When ctx is done (the client
// went away) the layout stops where it is and Render returns ctx.Err(),
// wrapped, having written nothing.
func Render(ctx context.Context, w io.Writer, d Data) error {
	return RenderDays(ctx, w, []Data{d})
}

// RenderDays writes the binders of several days (LoadRange) as one A4
// PDF, each day's section in turn with the same content as its own
// one-day binder, so that the weekend's paper is one print job and a day's
// pages can still be taken out on their own: every page names its day and
// says which day of how many it belongs to.
func RenderDays(ctx context.Context, w io.Writer, days []Data) error {
	if w == nil {
		return errors.New("binder: nil writer")
	}
	if len(days) == 0 {
		return errors.New("binder: no days to print")
	}
	ins := make([]*input, len(days))
	for i, d := range days {
		ins[i] = prepare(d)
	}
	tocs := make([][]tocEntry, len(days))
	return renderPasses(ctx, w, "binder", func(total int) (*doc, bool, error) {
		doc, err := layout(ctx, ins, tocs, total)
		if err != nil {
			return nil, false, err
		}
		same := sameTOCs(doc.tocs, tocs)
		tocs = doc.tocs
		return doc, same, nil
	})
}

// renderPasses lays a document out until a pass comes out as the one
// before it (the header's "page X of Y" and the contents' page numbers
// need the count of the pass before), at most maxPasses times, and writes
// the last pass. layout gets the page count of the pass before (0 at
// first) and says whether everything else it depends on stayed the same.
func renderPasses(ctx context.Context, w io.Writer, what string, layout func(total int) (*doc, bool, error)) error {
	total := 0
	for pass := 1; ; pass++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		doc, same, err := layout(total)
		if err != nil {
			return err
		}
		pages := doc.pdf.PageNo()
		if (pages == total && same) || pass == maxPasses {
			if err := doc.pdf.Output(w); err != nil {
				return fmt.Errorf("%s: write PDF: %w", what, err)
			}
			return nil
		}
		total = pages
	}
}

func sameTOCs(a, b [][]tocEntry) bool {
	return slices.EqualFunc(a, b, func(x, y []tocEntry) bool { return slices.Equal(x, y) })
}

// layout runs one full layout pass over the days. tocs and total come from
// the previous pass (empty on the first) and are only printed, never used
// for layout. When ctx is done the pass stops early with an error wrapping
// ctx.Err().
func layout(ctx context.Context, ins []*input, tocs [][]tocEntry, total int) (*doc, error) {
	p := fpdf.New("P", "mm", "A4", "")
	d := newDoc(ctx, p)
	d.in, d.total, d.days = ins[0], total, len(ins)
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("binder: load cp1252 translation: %w", err)
	}
	first, last := ins[0], ins[len(ins)-1]
	// The same Data must give the same bytes: fix the dates fpdf would take
	// from the clock and the order of its resource maps.
	stamp := first.Generated
	if stamp.IsZero() {
		stamp = first.day
	}
	setUpPDF(p, stamp)
	title := d.t("binder.title") + " – " + first.Unit.Name + " – " + d.dayText()
	if len(ins) > 1 {
		d.in = last
		title += " – " + d.dayText()
		d.in = first
	}
	p.SetTitle(title, true)
	p.SetCreator("Beredskap", true)
	p.SetLang(langTag(first.lang))
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)

	for i, in := range ins {
		d.in, d.day, d.toc = in, i+1, nil
		if i < len(tocs) {
			d.prevTOC = tocs[i]
		} else {
			d.prevTOC = nil
		}
		d.cover()
		d.priorityList()
		d.visitLists()
		d.personCards()
		d.signingSheets()
		d.routines()
		d.tocs = append(d.tocs, d.toc)
		if d.err != nil {
			break
		}
	}

	if d.err != nil {
		return d, fmt.Errorf("binder: layout stopped: %w", d.err)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("binder: lay out PDF: %w", err)
	}
	return d, nil
}

// newDoc starts a layout pass on p.
func newDoc(ctx context.Context, p *fpdf.Fpdf) *doc {
	return &doc{ctx: ctx, pdf: p, tr: p.UnicodeTranslatorFromDescriptor(""), printable: map[rune]bool{}, glyphs: map[glyph]int{}}
}

// input is Data with defaults filled in and the lists sorted once, so that
// every layout pass sees the same order.
type input struct {
	Data
	lang     string
	loc      *time.Location
	day      time.Time
	patients map[string]care.Patient
	visits   []care.Visit
	doses    []care.ScheduledDose
}

func prepare(d Data) *input {
	in := &input{Data: d, lang: i18n.Pick(d.Lang), loc: d.Location}
	if in.loc == nil {
		in.loc = d.Day.Location()
	}
	in.day = d.Day.In(in.loc)
	in.patients = make(map[string]care.Patient, len(d.Patients))
	for _, p := range d.Patients {
		in.patients[p.ID] = p
	}
	in.visits = slices.Clone(d.Visits)
	slices.SortStableFunc(in.visits, func(a, b care.Visit) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := compareNames(in.lang, in.patientName(a.PatientID), in.patientName(b.PatientID)); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	in.doses = slices.Clone(d.Doses)
	slices.SortStableFunc(in.doses, func(a, b care.ScheduledDose) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		if c := compareNames(in.lang, a.Medication, b.Medication); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return in
}

// patient returns the patient with id, or a stand-in named after the id so
// that a visit or dose for a patient missing from the list is still printed
// rather than silently dropped.
func (in *input) patient(id string) care.Patient {
	if p, ok := in.patients[id]; ok {
		return p
	}
	return care.Patient{ID: id, Name: i18n.T(in.lang, "binder.unknown_patient", id)}
}

func (in *input) patientName(id string) string { return in.patient(id).Name }

// sortedPatients returns the patients with ids, sorted by name.
func (in *input) sortedPatients(ids map[string]bool) []care.Patient {
	ps := make([]care.Patient, 0, len(ids))
	for id := range ids {
		ps = append(ps, in.patient(id))
	}
	slices.SortFunc(ps, func(a, b care.Patient) int {
		if c := compareNames(in.lang, a.Name, b.Name); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return ps
}

func langTag(lang string) string {
	switch lang {
	case "nb":
		return "nb-NO"
	case "sv":
		return "sv-SE"
	case "da":
		return "da-DK"
	}
	return "en"
}

// tocEntry is one line of the cover's table of contents.
type tocEntry struct {
	title string
	level int
	page  int
}

// doc is one layout pass.
type doc struct {
	ctx       context.Context // nil: never stops
	err       error           // the context's error, once the layout stopped
	in        *input
	pdf       *fpdf.Fpdf
	tr        func(string) string
	printable map[rune]bool
	style     string        // the current font style
	glyphs    map[glyph]int // widths of runes by style, in glyph units
	work      int           // runes measured and looked at, for the tests of linearity
	total     int           // page count of the previous pass, 0 on the first
	prevTOC   []tocEntry    // this day's contents of the previous pass, printed on its cover
	toc       []tocEntry    // this day's contents of this pass
	tocs      [][]tocEntry  // every day's contents of this pass
	day, days int           // the day being laid out (from 1) and how many the binder holds
	// heading, when set, stands in the header for the day (the equipment
	// list's week), and docTitle for the binder's title.
	heading, docTitle string
}

func (d *doc) t(key string, args ...any) string { return i18n.T(d.in.lang, key, args...) }

func (d *doc) dayText() string {
	return i18n.Weekday(d.in.lang, d.in.day) + " " + i18n.Date(d.in.lang, d.in.day)
}

func (d *doc) clock(t time.Time) string { return i18n.Time(d.in.lang, t.In(d.in.loc)) }

// date prints an ISO date (birth dates, revision dates) in the language's
// convention, or as given when it is not one.
func (d *doc) date(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return i18n.Date(d.in.lang, t)
}

func (d *doc) generatedText() string {
	if d.in.Generated.IsZero() {
		return ""
	}
	g := d.in.Generated.In(d.in.loc)
	return d.t("binder.generated", i18n.Date(d.in.lang, g)+" "+i18n.Time(d.in.lang, g))
}

// mark records the current page in the table of contents.
func (d *doc) mark(title string, level int) {
	d.toc = append(d.toc, tocEntry{title: title, level: level, page: d.pdf.PageNo()})
}

// header is fpdf's page header: unit, day and page number on every page, so
// that a loose sheet can be put back in the right binder; in a binder of
// several days it also says which day of how many.
func (d *doc) header() {
	p := d.pdf
	total := d.total
	if total < p.PageNo() {
		total = p.PageNo()
	}
	d.font("B", 9)
	page := d.t("binder.page", p.PageNo(), total)
	pageW := d.width(page)
	d.font("", 9)
	day := d.dayText()
	if d.heading != "" {
		day = d.heading
	}
	if d.days > 1 {
		day += " · " + d.t("binder.day_of", d.day, d.days)
	}
	dayW := d.width(day)
	d.font("B", 9)
	title := d.docTitle
	if title == "" {
		title = d.t("binder.title")
	}
	left := d.fit(d.in.Unit.Name+" · "+title, bodyW-pageW-dayW-12)
	p.SetXY(marginX, headerY)
	p.CellFormat(bodyW, 5, d.tr(left), "", 0, "L", false, 0, "")
	p.SetXY(marginX, headerY)
	p.CellFormat(bodyW, 5, d.tr(page), "", 0, "R", false, 0, "")
	d.font("", 9)
	p.SetXY(marginX+bodyW-pageW-6-dayW, headerY)
	p.CellFormat(dayW, 5, d.tr(day), "", 0, "L", false, 0, "")
	p.SetLineWidth(0.4)
	p.Line(marginX, headerRule, marginX+bodyW, headerRule)
	p.SetLineWidth(0.2)
	p.SetXY(marginX, bodyTop)
}

// footer is fpdf's page footer: when the paper was printed, so that a stale
// binder is recognised, and the reminder that it holds health data.
func (d *doc) footer() {
	p := d.pdf
	p.SetLineWidth(0.2)
	p.Line(marginX, footerRule, marginX+bodyW, footerRule)
	d.font("B", 8)
	conf := d.t("binder.confidential")
	confW := d.width(conf)
	p.SetXY(marginX, footerY)
	p.CellFormat(bodyW, 4, d.tr(conf), "", 0, "R", false, 0, "")
	d.font("", 8)
	p.SetXY(marginX, footerY)
	p.CellFormat(bodyW-confW-4, 4, d.tr(d.fit(d.generatedText(), bodyW-confW-4)), "", 0, "L", false, 0, "")
}

// setUpPDF gives a printout its fixed dates (stamp, so that the same data
// gives the same bytes), a sorted catalogue, the page margins and the
// pens every printout draws with. Every break is placed by hand so that
// table headers repeat and nothing is written over the footer.
func setUpPDF(p *fpdf.Fpdf, stamp time.Time) {
	p.SetCreationDate(stamp)
	p.SetModificationDate(stamp)
	p.SetCatalogSort(true)
	p.SetMargins(marginX, bodyTop, marginX)
	p.SetAutoPageBreak(false, 0)
	p.SetCellMargin(0)
	p.SetLineWidth(0.2)
	p.SetDrawColor(0, 0, 0)
	p.SetTextColor(0, 0, 0)
}
