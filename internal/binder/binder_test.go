package binder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/ledongthuc/pdf"

	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The test binary may run without tzdata; a fixed zone keeps the
		// layout the same.
		return time.FixedZone("CET", 3600)
	}
	return loc
}

func at(h, m int) time.Time { return time.Date(2026, 3, 16, h, m, 0, 0, oslo) }

// testData is a small day: two workers, five patients with Norwegian
// names, one of them without a visit, doses including a double check, and
// two routines.
func testData() Data {
	nurse := care.Contact{Name: "Marte Solberg", Relation: "Primærkontakt", Phone: "+47 905 11 318"}
	gp := care.Contact{Name: "Tore Sunde", Relation: "Fastlege", Phone: "+47 33 44 50 00"}
	patients := []care.Patient{
		{ID: "p-bjorn", Name: "Bjørn Aas", BirthDate: "1944-02-01", Address: "Storgata 1, 3210 Fjordvik",
			AccessInfo: "Ring på", Priority: care.PriorityNormal, ResponsibleNurse: nurse, GP: gp},
		{ID: "p-aashild", Name: "Åshild Bråten", BirthDate: "1938-06-21", Address: "Bjørkelia 7, 3210 Fjordvik",
			AccessInfo: "Nøkkelboks ved døren, kode 4711", Priority: care.PriorityVital, LivesAlone: true, SafetyAlarm: true,
			Allergies: []string{"Penicillin"}, Warnings: []string{"Fallrisiko"},
			Equipment:        []care.Equipment{{Name: "Oksygenkonsentrator", PowerDependent: true, LifeCritical: true, Note: "Reserveflaske i gangen"}},
			Relatives:        []care.Contact{{Name: "Trine Bråten", Relation: "Datter", Phone: "+47 900 00 001"}},
			ResponsibleNurse: nurse, GP: gp},
		{ID: "p-kjaersti", Name: "Kjærsti Nygård", BirthDate: "1950-11-02", Address: "Fjordveien 12, 3210 Fjordvik",
			AccessInfo: "Digital lås", Priority: care.PriorityHigh, MedicationDispenser: true, ResponsibleNurse: nurse, GP: gp},
		{ID: "p-oystein", Name: "Øystein Lærum", BirthDate: "1949-01-30", Address: "Måkeveien 3, 3210 Fjordvik",
			AccessInfo: "Ektefellen åpner", Priority: care.PriorityVital,
			Equipment:        []care.Equipment{{Name: "Respirator", PowerDependent: true, LifeCritical: true}},
			ResponsibleNurse: nurse, GP: gp},
		{ID: "p-signe", Name: "Signe Dæhlie", BirthDate: "1929-11-30", Address: "Kirkegata 22, 3210 Fjordvik",
			Priority: care.PriorityHigh, ResponsibleNurse: nurse, GP: gp},
	}
	visit := func(id, patient, worker string, start time.Time, tasks ...string) care.Visit {
		return care.Visit{ID: id, PatientID: patient, WorkerID: worker, UnitID: "u-ost", Start: start, DurationMinutes: 30, Tasks: tasks}
	}
	return Data{
		Unit:     care.Unit{ID: "u-ost", Name: "Hjemmetjenesten Øst"},
		Day:      at(12, 0),
		Location: oslo,
		Lang:     "nb",
		Workers:  map[string]string{"w-aase": "Åse Bjørnstad", "w-paal": "Pål Ødegård"},
		Patients: patients,
		Visits: []care.Visit{
			visit("v3", "p-bjorn", "w-aase", at(10, 0), "Tilsyn"),
			visit("v1", "p-oystein", "w-aase", at(7, 30), "Morgenstell", "Sjekk respirator og batteri"),
			visit("v2", "p-aashild", "w-aase", at(8, 15), "Gi morgenmedisiner", "Sjekk oksygen"),
			visit("v4", "p-kjaersti", "w-paal", at(8, 0), "Kontroll av medisindispenser"),
			visit("v5", "p-aashild", "w-paal", at(9, 30), "Tilsyn"),
		},
		Doses: []care.ScheduledDose{
			{ID: "d1", PatientID: "p-aashild", Medication: "Paracetamol", Dose: "1 g", Route: "oral", Due: at(8, 30)},
			{ID: "d2", PatientID: "p-aashild", Medication: "Furosemid", Dose: "40 mg", Route: "oral", Due: at(9, 45)},
			{ID: "d3", PatientID: "p-oystein", Medication: "Morfin", Dose: "5 mg", Route: "subkutant", Due: at(7, 45), DoubleCheck: true},
			{ID: "d4", PatientID: "p-kjaersti", Medication: "Metformin", Dose: "500 mg", Route: "oral", Due: at(8, 5)},
		},
		Routines: []care.Routine{
			{ID: "r1", Title: "Nødrutine: strømbrudd", Scenario: care.ScenarioPowerLoss, Revised: "2026-09-01",
				Steps:    []string{"Ring pasienter med strømavhengig utstyr først.", "Sjekk batterier og reserveoksygen."},
				Contacts: []care.Contact{{Name: "Nettselskapet", Relation: "Driftsmeldinger", Phone: "+47 33 44 80 00"}}},
			{ID: "r2", Title: "Nødrutine: journalsystemet er nede", Scenario: care.ScenarioEHRDown, Revised: "2026-09-01",
				Steps:    []string{"Meld feilen til IKT-vakt.", "Bruk beredskapspermen."},
				Contacts: []care.Contact{{Name: "IKT-vakt", Phone: "+47 33 44 60 00"}}},
		},
		Generated: at(6, 30),
	}
}

// rendered is a binder read back: the text of each page with whitespace
// collapsed, so that a name wrapped across lines still matches.
type rendered struct {
	raw   []byte
	pages []string
}

func (r rendered) all() string { return strings.Join(r.pages, " ") }

func render(t *testing.T, d Data) rendered {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	rd, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("output does not parse as PDF: %v", err)
	}
	out := rendered{raw: buf.Bytes()}
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: extract text: %v", i, err)
		}
		out.pages = append(out.pages, strings.Join(strings.Fields(s), " "))
	}
	return out
}

func TestRenderContainsEverything(t *testing.T) {
	d := testData()
	r := render(t, d)
	text := r.all()
	var want []string
	for _, p := range d.Patients {
		want = append(want, p.Name)
	}
	for _, ds := range d.Doses {
		want = append(want, ds.Medication)
	}
	for _, name := range d.Workers {
		want = append(want, name)
	}
	for _, rt := range d.Routines {
		want = append(want, rt.Title)
	}
	want = append(want, "Beredskapsperm", "Hjemmetjenesten Øst", "Mandag 16.03.2026", "Generert 16.03.2026 06:30",
		"Prioriteringsliste", "Besøksliste: Åse Bjørnstad", "Besøksliste: Pål Ødegård", "Personkort",
		"Signeringsliste for legemidler", "Nødrutiner", "Gitt", "Nektet", "Holdt tilbake",
		"Signatur 2 (kontroll)", "Strømbrudd", "Revidert 01.09.2026", "+47 33 44 80 00",
		"LIVSVIKTIG", "STRØMAVHENGIG", "ADVARSLER", "ALLERGIER", "Penicillin", "Fallrisiko",
		"Trine Bråten (Datter) – +47 900 00 001", "Nøkkelboks ved døren, kode 4711", "ikke i dag",
		"Taushetsbelagt – oppbevares innelåst")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("binder lacks %q", w)
		}
	}
	if strings.Contains(text, "binder.") {
		t.Errorf("binder prints a catalogue key: %s", regexp.MustCompile(`binder\.[a-z_.]+`).FindString(text))
	}
}

// TestSections checks where each section starts and that the double-check
// dose is marked on its sheet.
func TestSections(t *testing.T) {
	r := render(t, testData())
	first := func(s string) int {
		for i, p := range r.pages {
			if i > 0 && strings.Contains(p, s) {
				return i
			}
		}
		return -1
	}
	// Workers in Norwegian alphabetical order: Å is the last letter.
	sections := []struct{ heading, contents string }{
		{"Prioriteringsliste", "Prioriteringsliste"},
		{"Besøksliste: Pål Ødegård", "Pål Ødegård"},
		{"Besøksliste: Åse Bjørnstad", "Åse Bjørnstad"},
		{"Personkort", "Personkort"},
		{"Signeringsliste for legemidler", "Signeringslister for legemidler"},
		{"Nødrutiner", "Nødrutiner"},
	}
	prev := 0
	for _, s := range sections {
		i := first(s.heading)
		if i <= prev {
			t.Errorf("%q starts on page %d, want after page %d", s.heading, i+1, prev+1)
		}
		prev = i
		// The cover's contents point at the right page.
		re := regexp.MustCompile(regexp.QuoteMeta(s.contents) + `[ .]*side ` + fmt.Sprint(i+1) + `\b`)
		if !re.MatchString(r.pages[0]) {
			t.Errorf("the cover's contents lack %q on page %d: %s", s.contents, i+1, r.pages[0])
		}
	}
	for i, p := range r.pages {
		if strings.Contains(p, "Signeringsliste for legemidler") && strings.Contains(p, "Morfin") {
			if !strings.Contains(p, "Øystein Lærum") || !strings.Contains(p, "JA") {
				t.Errorf("page %d: the double-check dose is not marked: %s", i+1, p)
			}
		}
	}
}

func TestPriorityOrder(t *testing.T) {
	r := render(t, testData())
	page := r.pages[1]
	if !strings.HasPrefix(strings.SplitN(page, "Side", 2)[1], " 2 av") || !strings.Contains(page, "Prioriteringsliste") {
		t.Fatalf("page 2 is not the priority list: %s", page)
	}
	// Vital first, then high, then normal; within a priority by name in
	// Norwegian order, where Ø comes before Å.
	want := []string{"Øystein Lærum", "Åshild Bråten", "Kjærsti Nygård", "Signe Dæhlie", "Bjørn Aas"}
	last := -1
	for _, name := range want {
		i := strings.Index(page, name)
		if i < 0 {
			t.Fatalf("priority list lacks %s", name)
		}
		if i < last {
			t.Errorf("%s is out of order in the priority list: %s", name, page)
		}
		last = i
	}
	if !regexp.MustCompile(`1 Livsviktig Øystein Lærum Født 30\.01\.1949 Måkeveien 3, 3210 Fjordvik strømavhengig 07:30`).MatchString(page) {
		t.Errorf("vital row not as expected: %s", page)
	}
}

func TestPageCount(t *testing.T) {
	r := render(t, testData())
	n := len(r.pages)
	// Cover, priority list, two visit lists, cards, three signing sheets
	// and the routines: at least 9 pages, and nothing spills wildly.
	if n < 9 || n > 14 {
		t.Errorf("%d pages, want 9 to 14", n)
	}
	for i, p := range r.pages {
		if want := fmt.Sprintf("Side %d av %d", i+1, n); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "Hjemmetjenesten Øst") || !strings.Contains(p, "Generert 16.03.2026 06:30") {
			t.Errorf("page %d lacks the header or footer", i+1)
		}
	}
}

func TestDeterministic(t *testing.T) {
	noStamp := testData()
	noStamp.Generated = time.Time{}
	cases := []struct {
		name    string
		data    func() Data
		created string
	}{
		{"generated", testData, "/CreationDate (D:20260316063000)"},
		// Without a generation time the day stands in, never the clock.
		{"no generation time", func() Data { return noStamp }, "/CreationDate (D:20260316120000)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Render(context.Background(), &a, c.data()); err != nil {
				t.Fatal(err)
			}
			if err := Render(context.Background(), &b, c.data()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("the same data gives different PDFs")
			}
			if !bytes.Contains(a.Bytes(), []byte(c.created)) {
				t.Errorf("the PDF lacks %s", c.created)
			}
		})
	}
}

// TestKeysInCatalogue checks that every binder key the package uses has
// its own text in every language, so no page prints a fallback.
func TestKeysInCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"((?:binder|card|routines|priority|scenario)\.[a-z_.0-9]+)"`).FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") { // a prefix, completed below
				keys[m[1]] = true
			}
		}
	}
	for _, f := range care.FlagNames() {
		keys["binder.flag."+f] = true
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		for _, lang := range i18n.Languages() {
			if !i18n.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func TestEmptyDay(t *testing.T) {
	d := testData()
	d.Visits, d.Doses = nil, nil
	r := render(t, d)
	if len(r.pages) != 3 {
		t.Fatalf("%d pages for a day without visits, want cover, priority list and routines", len(r.pages))
	}
	checks := []struct {
		page int
		want string
	}{
		{0, "Beredskapsperm"},
		{0, "Slik bruker du permen"},
		{1, "Prioriteringsliste"},
		{1, "Bjørn Aas"},
		{1, "ikke i dag"},
		{2, "Nødrutiner"},
		{2, "Nødrutine: strømbrudd"},
	}
	for _, c := range checks {
		if !strings.Contains(r.pages[c.page], c.want) {
			t.Errorf("page %d lacks %q", c.page+1, c.want)
		}
	}
	for _, absent := range []string{"Besøksliste", "Personkort", "Signeringsliste"} {
		if strings.Contains(r.all(), absent) {
			t.Errorf("empty day prints %q", absent)
		}
	}

	// Nothing at all still gives a binder that says so.
	r = render(t, Data{Unit: care.Unit{Name: "Tom"}, Day: at(12, 0), Generated: at(6, 0)})
	if len(r.pages) != 3 || !strings.Contains(r.pages[1], "Enheten har ingen pasienter.") ||
		!strings.Contains(r.pages[2], "Ingen nødrutiner er registrert for enheten.") {
		t.Errorf("empty binder: %q", r.pages)
	}
}

func TestLanguages(t *testing.T) {
	cases := []struct {
		lang string
		want []string
	}{
		{"sv", []string{"Beredskapspärm", "Prioriteringslista", "Besökslista: Åse Bjørnstad", "Personkort",
			"Signeringslista för läkemedel", "Reservrutiner", "Given", "Vägrad", "Uppehåll", "Måndag 2026-03-16", "Sida 1 av"}},
		{"da", []string{"Beredskabsmappe", "Prioriteringsliste", "Borgerkort", "Signeringsliste for medicin",
			"Nødprocedurer", "Givet", "Afvist", "Tilbageholdt", "Mandag 16.03.2026", "07.45"}},
		{"en", []string{"Emergency binder", "Priority list", "Person cards", "Medication signing sheet",
			"Emergency routines", "Given", "Refused", "Withheld", "Monday 16 Mar 2026"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			d := testData()
			d.Lang = c.lang
			text := render(t, d).all()
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q", w)
				}
			}
			if strings.Contains(text, "Beredskapsperm") && c.lang != "nb" {
				t.Error("prints the Norwegian title")
			}
		})
	}
}

// TestLongTextStaysOnPage feeds text far longer than a cell and checks
// that every glyph lands inside the margins and that a table split over
// pages repeats its header.
func TestLongTextStaysOnPage(t *testing.T) {
	d := testData()
	long := strings.Repeat("Nøkkel hos naboen i nr. 14, ring to ganger og vent. ", 40)
	d.Patients[1].AccessInfo = long
	d.Patients[1].Warnings = append(d.Patients[1].Warnings, strings.Repeat("Ukjent", 60))
	var tasks []string
	for i := range 40 {
		tasks = append(tasks, fmt.Sprintf("Oppgave nummer %d med en lang forklaring om hva som skal gjøres", i+1))
	}
	d.Visits[2].Tasks = tasks
	for i := range 60 {
		d.Routines[0].Steps = append(d.Routines[0].Steps, fmt.Sprintf("Steg %d: %s", i+3, long[:200]))
	}
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, d); err != nil {
		t.Fatal(err)
	}
	rd, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	const mm = 72 / 25.4
	// The core fonts carry no widths in the file, so the reader gives every
	// glyph of a string the string's start; each run is measured whole
	// with fpdf's metrics for its font.
	metrics := fpdf.New("P", "mm", "A4", "")
	tr := metrics.UnicodeTranslatorFromDescriptor("")
	styles := map[string]string{"Helvetica": "", "Helvetica-Bold": "B", "Helvetica-Oblique": "I", "Helvetica-BoldOblique": "BI"}
	headers, runs := 0, 0
	for i := 1; i <= rd.NumPage(); i++ {
		glyphs := rd.Page(i).Content().Text
		for j := 0; j < len(glyphs); {
			g := glyphs[j]
			var run strings.Builder
			for ; j < len(glyphs) && glyphs[j].X == g.X && glyphs[j].Y == g.Y && glyphs[j].Font == g.Font; j++ {
				run.WriteString(glyphs[j].S)
			}
			runs++
			style, ok := styles[g.Font]
			if !ok {
				t.Fatalf("page %d: unexpected font %q", i, g.Font)
			}
			metrics.SetFont("Helvetica", style, g.FontSize)
			left, right := g.X/mm, g.X/mm+metrics.GetStringWidth(tr(run.String()))
			if left < marginX-0.1 || right > pageW-marginX+0.1 {
				t.Fatalf("page %d: %q at x=%.1f..%.1f mm runs outside the margins", i, run.String(), left, right)
			}
			if top := 297 - g.Y/mm; top < headerY || top > footerY+5 {
				t.Fatalf("page %d: %q at %.1f mm from the top is off the page", i, run.String(), top)
			}
		}
		s, _ := rd.Page(i).GetPlainText(nil)
		if strings.Contains(s, "Besøksliste: Åse Bjørnstad") && strings.Contains(s, "Oppgaver") {
			headers++
		}
	}
	if headers < 2 {
		t.Errorf("the visit list header is on %d pages, want it repeated on each", headers)
	}
	if runs < 500 {
		t.Errorf("only %d text runs checked: the reader found too little text", runs)
	}
}

func TestRenderErrors(t *testing.T) {
	if err := Render(context.Background(), nil, testData()); err == nil {
		t.Error("nil writer accepted")
	}
	err := Render(context.Background(), failWriter{}, testData())
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "binder") {
		t.Errorf("write error = %v, want it wrapped", err)
	}
}

var errDisk = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestCollation(t *testing.T) {
	cases := []struct {
		lang  string
		names []string // in the expected order
	}{
		{"nb", []string{"Aas", "berg", "Zahl", "Ærø", "Øye", "Åsen"}},
		{"da", []string{"Andersen", "Ærø", "Ørsted", "Åberg"}},
		{"sv", []string{"Berg", "Zorn", "Åsa", "Ärla", "Östen"}},
		{"en", []string{"Aas", "Åsen", "Berg", "Øye", "Zahl"}},
		{"nb", []string{"Eide", "Élise", "Erik"}},
	}
	for _, c := range cases {
		for i := 1; i < len(c.names); i++ {
			if compareNames(c.lang, c.names[i-1], c.names[i]) >= 0 {
				t.Errorf("%s: %q should sort before %q", c.lang, c.names[i-1], c.names[i])
			}
		}
	}
}

func TestClean(t *testing.T) {
	p := fpdf.New("P", "mm", "A4", "")
	d := newDoc(context.Background(), p)
	cases := []struct{ in, want string }{
		{"Bjørg Åsheim", "Bjørg Åsheim"},
		{"Máret Čuđe", "Máret Cude"},
		{"a\r\nb\tc\x00", "a\nb c"},
		{"→ ≥ 5", "-> >= 5"},
		{"漢", "?"},
	}
	for _, c := range cases {
		if got := d.clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	p := fpdf.New("P", "mm", "A4", "")
	d := newDoc(context.Background(), p)
	d.font("", 10)
	cases := []struct {
		in    string
		w     float64
		lines int
	}{
		{"kort", 50, 1},
		{"to ord", 8, 2},
		{"første\nandre", 50, 2},
		{strings.Repeat("x", 200), 20, 0}, // broken between letters; count checked below
		{"Dobbelt\u00adkontroll", 15, 2},
	}
	for _, c := range cases {
		got := d.wrap(c.in, c.w)
		for _, l := range got {
			if d.width(l) > c.w+0.01 {
				t.Errorf("wrap(%q, %v): line %q is %.1f mm wide", c.in, c.w, l, d.width(l))
			}
			if strings.Contains(l, softHyphen) {
				t.Errorf("wrap(%q): soft hyphen left in %q", c.in, l)
			}
		}
		if c.lines > 0 && len(got) != c.lines {
			t.Errorf("wrap(%q, %v) = %q, want %d lines", c.in, c.w, got, c.lines)
		}
		if strings.Join(got, "") == "" {
			t.Errorf("wrap(%q) lost the text", c.in)
		}
	}
	if got := d.wrap("Dobbelt\u00adkontroll", 15); got[0] != "Dobbelt-" {
		t.Errorf("soft hyphen break = %q", got)
	}
}
