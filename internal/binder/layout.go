package binder

import (
	"math"
	"strings"
)

// Page geometry in millimetres (A4 portrait). The header and footer sit in
// the top and bottom margins; the body keeps clear of both.
const (
	pageW      = 210.0
	marginX    = 15.0
	bodyW      = pageW - 2*marginX
	headerY    = 10.0
	headerRule = 16.0
	bodyTop    = 21.0
	bodyBottom = 278.0
	footerRule = 281.0
	footerY    = 282.0
	cellPad    = 1.3 // inner padding of table cells
	ptToMM     = 0.3528
	leading    = 1.28 // line height as a multiple of the font size
	greyLight  = 232  // fill behind headers and emphasised cells; prints as a faint tint
	greyMid    = 205  // fill of the card's name bar
)

// lineHeight is the height of one line of text at size points.
func lineHeight(size float64) float64 { return size * ptToMM * leading }

func (d *doc) font(style string, size float64) {
	d.style = style
	d.pdf.SetFont("Helvetica", style, size)
}

// softHyphen marks where a word may be broken; it prints only there.
const softHyphen = "\u00ad"

// softHyphenRune is softHyphen as a rune.
const softHyphenRune = '\u00ad'

// fold spells characters that cp1252 lacks (Sámi and other European letters,
// a few symbols) with the nearest ones it has, so that a name never turns
// into dots.
var fold = map[rune]string{
	'č': "c", 'Č': "C", 'ć': "c", 'Ć': "C", 'đ': "d", 'Đ': "D", 'ŋ': "n", 'Ŋ': "N",
	'ŧ': "t", 'Ŧ': "T", 'ł': "l", 'Ł': "L", 'ń': "n", 'Ń': "N", 'ś': "s", 'Ś': "S",
	'ź': "z", 'Ź': "Z", 'ż': "z", 'Ż': "Z", 'ą': "a", 'Ą': "A", 'ę': "e", 'Ę': "E",
	'ő': "ö", 'Ő': "Ö", 'ű': "ü", 'Ű': "Ü", 'ș': "s", 'Ș': "S", 'ş': "s", 'Ş': "S",
	'ț': "t", 'Ț': "T", 'ţ': "t", 'Ţ': "T", 'ğ': "g", 'Ğ': "G", 'ı': "i", 'İ': "I",
	'ă': "a", 'Ă': "A", 'ě': "e", 'Ě': "E", 'ř': "r", 'Ř': "R", 'ů': "u", 'Ů': "U",
	'ň': "n", 'Ň': "N", 'ď': "d", 'Ď': "D", 'ť': "t", 'Ť': "T", 'ā': "a", 'Ā': "A",
	'ē': "e", 'Ē': "E", 'ī': "i", 'Ī': "I", 'ū': "u", 'Ū': "U", 'ǧ': "g", 'ǩ': "k",
	'ʒ': "z", 'ǯ': "z",
	'→': "->", '←': "<-", '≥': ">=", '≤': "<=", '−': "-", '‐': "-", '‑': "\u00a0-",
	'\u2009': " ", '\u202f': "\u00a0", '\u2007': "\u00a0", '≈': "~", '✓': "x", '✔': "x",
}

// clean makes s printable with the cp1252 core fonts: line breaks are
// normalised, control characters dropped and characters outside cp1252
// folded or shown as '?'. The result is still UTF-8.
func (d *doc) clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		case r < 0x80 || d.canPrint(r):
			b.WriteRune(r)
		default:
			if f, ok := fold[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// canPrint reports whether cp1252 has r; the translator writes '.' for any
// rune it lacks.
func (d *doc) canPrint(r rune) bool {
	ok, seen := d.printable[r]
	if !seen {
		ok = d.tr(string(r)) != "."
		d.printable[r] = ok
	}
	return ok
}

// glyph is a rune in a font style, the key of the width cache.
type glyph struct {
	style string
	r     rune
}

// units is the width of r in the current font in glyph units (a
// thousandth of the font size), the measure fpdf sums for a string: the
// core fonts have no kerning, so a text's width is the sum of its runes'.
// A soft hyphen is not printed and has none.
func (d *doc) units(r rune) int {
	d.work++
	if r == softHyphenRune {
		return 0
	}
	g := glyph{d.style, r}
	u, ok := d.glyphs[g]
	if !ok {
		u = d.pdf.GetStringSymbolWidth(d.tr(string(r)))
		d.glyphs[g] = u
	}
	return u
}

// mm turns glyph units into millimetres at the current font size, as
// fpdf's GetStringWidth does, so that a width compares the same.
func (d *doc) mm(units int) float64 {
	_, size := d.pdf.GetFontSize()
	return float64(units) * size / 1000
}

func (d *doc) fits(units int, w float64) bool { return d.mm(units) <= w }

// prefixUnits returns p with p[i] the width of r[:i]: any part's width is
// then one subtraction, so breaking a long word measures each rune once.
func (d *doc) prefixUnits(r []rune) []int {
	p := make([]int, len(r)+1)
	for i, c := range r {
		p[i+1] = p[i] + d.units(c)
	}
	return p
}

// width measures cleaned text in the current font.
func (d *doc) width(s string) float64 {
	u := 0
	for _, r := range s {
		u += d.units(r)
	}
	return d.mm(u)
}

// stopped reports whether the layout should stop because its context is
// done (the client went away); the first time, it puts fpdf into its
// error state, so that what is left of the pass does next to nothing.
func (d *doc) stopped() bool {
	if d.err != nil {
		return true
	}
	if d.ctx == nil {
		return false
	}
	if err := d.ctx.Err(); err != nil {
		d.err = err
		d.pdf.SetError(err)
		return true
	}
	return false
}

// fit shortens s with an ellipsis until it fits w; only for the header and
// footer, whose one line must not wrap.
func (d *doc) fit(s string, w float64) string {
	s = strings.ReplaceAll(d.clean(s), "\n", " ")
	r := []rune(s)
	pre := d.prefixUnits(r)
	if d.fits(pre[len(r)], w) {
		return s
	}
	dots := d.units('…')
	n := 0
	for n < len(r) && d.fits(pre[n+1]+dots, w) {
		d.work++
		n++
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}

// wrap breaks s into lines no wider than w in the current font. Words break
// at spaces; a word wider than the line breaks after a hyphen or at a soft
// hyphen if it can, else between letters, so nothing runs off the page.
// Its work is linear in the length of s: each rune is measured once, and
// a long word's rest is never measured again.
func (d *doc) wrap(s string, w float64) []string {
	s = strings.TrimRight(d.clean(s), "\n")
	var out []string
	space := d.units(' ')
	for _, para := range strings.Split(s, "\n") {
		if d.stopped() {
			break
		}
		var cur []rune
		curU := 0
		for _, word := range strings.Split(para, " ") {
			if word == "" {
				continue
			}
			r := []rune(word)
			pre := d.prefixUnits(r)
			try := pre[len(r)]
			if len(cur) > 0 {
				try += curU + space
			}
			if d.fits(try, w) {
				if len(cur) > 0 {
					cur = append(cur, ' ')
				}
				cur, curU = append(cur, r...), try
				continue
			}
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur, curU = nil, 0
			}
			start := 0
			for !d.fits(pre[len(r)]-pre[start], w) {
				if d.stopped() {
					break
				}
				head, next := d.breakWord(r, pre, start, w)
				out = append(out, head)
				start = next
			}
			cur, curU = append([]rune(nil), r[start:]...), pre[len(r)]-pre[start]
		}
		out = append(out, string(cur))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], softHyphen, "")
	}
	return out
}

// breakWord splits r[start:], a word too wide for w, into a head that fits
// and the index where the rest begins. It looks only as far as a head can
// reach, so that breaking a word of n runes into lines takes O(n).
func (d *doc) breakWord(r []rune, pre []int, start int, w float64) (head string, next int) {
	hyphen := d.units('-')
	best, soft := -1, false
	for i := start + 1; i < len(r); i++ {
		d.work++
		width := pre[i] - pre[start]
		if !d.fits(width, w) {
			break // no longer head fits either
		}
		switch {
		case r[i-1] == '-' || r[i-1] == '/':
			best, soft = i, false
		case r[i] == softHyphenRune:
			if d.fits(width+hyphen, w) {
				best, soft = i, true // break at the soft hyphen, which prints as '-'
			}
		}
	}
	switch {
	case best > 0 && soft:
		return string(r[start:best]) + "-", best + 1
	case best > 0:
		return string(r[start:best]), best
	}
	n := start + 1
	for n < len(r) && d.fits(pre[n+1]-pre[start], w) {
		d.work++
		n++
	}
	return string(r[start:n]), n
}

// span is a run of text in one style; each span starts on a new line.
type span struct {
	text  string
	style string  // "", "B", "I" or "BI"
	size  float64 // points; 0 means the surrounding default
}

// line is one laid-out line of a span.
type line struct {
	text  string
	style string
	size  float64
	h     float64
}

// lines lays out spans in a column w wide.
func (d *doc) lines(spans []span, w, size float64) []line {
	var out []line
	for _, s := range spans {
		sz := s.size
		if sz == 0 {
			sz = size
		}
		d.font(s.style, sz)
		for _, l := range d.wrap(s.text, w) {
			out = append(out, line{text: l, style: s.style, size: sz, h: lineHeight(sz)})
		}
	}
	return out
}

func height(ls []line) float64 {
	h := 0.0
	for _, l := range ls {
		h += l.h
	}
	return h
}

// drawLines writes ls from (x, y) in a column w wide.
func (d *doc) drawLines(ls []line, x, y, w float64, align string) {
	for _, l := range ls {
		d.font(l.style, l.size)
		d.pdf.SetXY(x, y)
		d.pdf.CellFormat(w, l.h, d.tr(l.text), "", 0, align, false, 0, "")
		y += l.h
	}
}

func (d *doc) y() float64 { return d.pdf.GetY() }

func (d *doc) left() float64 { return bodyBottom - d.y() }

// addPage starts a page with the cursor at the top of the body.
func (d *doc) addPage() {
	d.pdf.AddPage()
	d.pdf.SetXY(marginX, bodyTop)
}

// ensure starts a new page unless h fits below the cursor; it reports
// whether it did.
func (d *doc) ensure(h float64) bool {
	if d.y()+h <= bodyBottom || d.y() <= bodyTop+0.01 {
		return false
	}
	d.addPage()
	return true
}

// ensureOr is ensure that draws cont at the top of a new page, so that a
// sheet's continuation still says whose it is.
func (d *doc) ensureOr(h float64, cont func()) {
	if d.ensure(h) && cont != nil {
		cont()
	}
}

// gap moves the cursor down, never past the body.
func (d *doc) gap(h float64) {
	d.pdf.SetXY(marginX, math.Min(d.y()+h, bodyBottom))
}

// para writes spans as a paragraph from x, w wide, breaking pages between
// lines.
func (d *doc) para(spans []span, x, w, size float64, align string) {
	for _, l := range d.lines(spans, w, size) {
		d.ensure(l.h)
		d.drawLines([]line{l}, x, d.y(), w, align)
		d.pdf.SetXY(marginX, d.y()+l.h)
	}
}

// section starts a section on a new page with its title, and records it in
// the contents.
func (d *doc) section(title string) {
	d.addPage()
	d.mark(title, 0)
	d.title(title)
}

// title writes a section title with a rule under it.
func (d *doc) title(s string) {
	ls := d.lines([]span{{text: s, style: "B"}}, bodyW, 16)
	d.ensure(height(ls) + 12)
	d.drawLines(ls, marginX, d.y(), bodyW, "L")
	y := d.y() + height(ls) + 1
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(marginX, y, marginX+bodyW, y)
	d.pdf.SetLineWidth(0.2)
	d.pdf.SetXY(marginX, y+3)
}

// continued writes the heading of a continuation page, so a sheet that has
// come loose still says what it belongs to.
func (d *doc) continued(s string) {
	ls := d.lines([]span{{text: s + " " + d.t("binder.continued"), style: "B"}}, bodyW, 11)
	d.drawLines(ls, marginX, d.y(), bodyW, "L")
	d.pdf.SetXY(marginX, d.y()+height(ls)+2)
}

// col is a table column.
type col struct {
	head  string
	w     float64
	align string
}

// cell is a table cell; fill shades it grey as emphasis that also reads
// without colour, since the text carries the meaning.
type cell struct {
	spans []span
	fill  bool
}

func text(s string) cell        { return cell{spans: []span{{text: s}}} }
func bold(s string) cell        { return cell{spans: []span{{text: s, style: "B"}}} }
func cellOf(spans ...span) cell { return cell{spans: spans} }

// table draws rows that break across pages with the header row repeated.
type table struct {
	d        *doc
	cols     []col
	size     float64 // body font size in points
	headSize float64
	noHead   bool
	caption  func() // drawn above the header on each continuation page
	// keyCols leading columns say what a row is about (time, patient,
	// label); when a row is split over pages they are repeated, so its
	// second half is not anonymous.
	keyCols int
}

func (t *table) headerCells() []cell {
	cs := make([]cell, len(t.cols))
	for i, c := range t.cols {
		cs[i] = cell{spans: []span{{text: c.head, style: "B", size: t.headSize}}, fill: true}
	}
	return cs
}

// layoutRow wraps each cell and returns the lines and the row height.
func (t *table) layoutRow(cells []cell, minH float64) ([][]line, float64) {
	ls := make([][]line, len(t.cols))
	h := minH
	for i, c := range t.cols {
		if i < len(cells) {
			ls[i] = t.d.lines(cells[i].spans, c.w-2*cellPad, t.size)
		}
		h = math.Max(h, height(ls[i])+2*cellPad)
	}
	return ls, h
}

func (t *table) headHeight() float64 {
	if t.noHead {
		return 0
	}
	_, h := t.layoutRow(t.headerCells(), 0)
	return h
}

// rowHeight is the height row would take, for keeping blocks together.
func (t *table) rowHeight(cells []cell, minH float64) float64 {
	_, h := t.layoutRow(cells, minH)
	return h
}

// header draws the header row.
func (t *table) header() {
	if t.noHead {
		return
	}
	ls, h := t.layoutRow(t.headerCells(), 0)
	t.draw(t.headerCells(), ls, h)
}

// newPage continues the table on a new page.
func (t *table) newPage() {
	t.d.addPage()
	if t.caption != nil {
		t.caption()
	}
	t.header()
}

// row draws one row, at least minH tall. A row that does not fit moves to
// the next page whole; a row taller than a page is split between lines.
func (t *table) row(cells []cell, minH float64) {
	ls, h := t.layoutRow(cells, minH)
	fresh := bodyBottom - bodyTop - t.headHeight()
	if t.d.y()+h > bodyBottom && h <= fresh {
		t.newPage()
	}
	// left[i] is the height of column i's lines still to draw, kept as
	// they are drawn so that a row split over many pages costs its lines
	// once, not once per page.
	left := make([]float64, len(ls))
	for i, cl := range ls {
		left[i] = height(cl)
	}
	for guard := 0; guard < 1000; guard++ {
		if t.d.y()+h <= bodyBottom {
			t.draw(cells, ls, h)
			return
		}
		if t.d.stopped() {
			return
		}
		room := bodyBottom - t.d.y() - 2*cellPad
		head := make([][]line, len(ls))
		rest := make([][]line, len(ls))
		took := false
		for i, cl := range ls {
			used, n := 0.0, 0
			for n < len(cl) && used+cl[n].h <= room {
				used += cl[n].h
				n++
			}
			head[i], rest[i] = cl[:n], cl[n:]
			left[i] -= used
			took = took || n > 0
		}
		if took {
			t.draw(cells, head, bodyBottom-t.d.y())
			for i := 0; i < t.keyCols && i < len(rest); i++ {
				if len(rest[i]) == 0 {
					rest[i], left[i] = ls[i], height(ls[i]) // a key column is short
				}
			}
		}
		t.newPage()
		ls, h = rest, 0
		for i := range ls {
			h = math.Max(h, left[i]+2*cellPad)
		}
	}
}

// band draws a full-width shaded row of bold text inside the table, such as
// the heading of the blank rows.
func (t *table) band(s string) {
	ls := t.d.lines([]span{{text: s, style: "B"}}, bodyW-2*cellPad, t.size)
	h := height(ls) + 2*cellPad
	if t.d.y()+h > bodyBottom {
		t.newPage()
	}
	y := t.d.y()
	t.d.pdf.SetFillColor(greyLight, greyLight, greyLight)
	t.d.pdf.Rect(marginX, y, bodyW, h, "FD")
	t.d.drawLines(ls, marginX+cellPad, y+cellPad, bodyW-2*cellPad, "L")
	t.d.pdf.SetXY(marginX, y+h)
}

// draw writes a row of height h at the cursor.
func (t *table) draw(cells []cell, ls [][]line, h float64) {
	p := t.d.pdf
	x, y := marginX, t.d.y()
	for i, c := range t.cols {
		style := "D"
		if i < len(cells) && cells[i].fill {
			p.SetFillColor(greyLight, greyLight, greyLight)
			style = "FD"
		}
		p.Rect(x, y, c.w, h, style)
		t.d.drawLines(ls[i], x+cellPad, y+cellPad, c.w-2*cellPad, c.align)
		x += c.w
	}
	p.SetXY(marginX, y+h)
}

// start draws the header row, first moving to a new page if not even the
// header and one row of minH fit.
func (t *table) start(minH float64) {
	if t.d.y()+t.headHeight()+minH > bodyBottom {
		t.newPage()
		return
	}
	t.header()
}
