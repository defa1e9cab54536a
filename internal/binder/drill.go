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
	"beredskap/internal/wire"
)

// The drill report (issue 19, item 2) printed: the drill, who took part,
// what was recorded, the findings of its records and each phone's time
// to sync after network back, in the coordinator's language with local
// times, laid out by the binder's machinery.

// DrillReportData is what the drill report prints.
type DrillReportData struct {
	Report wire.DrillReport
	// UnitNames names the drill's units; PatientNames the findings'
	// patients (an id is printed where a name is missing).
	UnitNames    map[string]string
	PatientNames map[string]string
	Location     *time.Location
	Lang         string
	Generated    time.Time
}

// RenderDrillReport writes the drill report as a PDF to w. The same data
// gives the same bytes.
func RenderDrillReport(ctx context.Context, w io.Writer, r DrillReportData) error {
	if w == nil {
		return errors.New("drill report: nil writer")
	}
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	var units []string
	for _, u := range r.Report.Drill.Units {
		units = append(units, cmpOr(r.UnitNames[u], u))
	}
	in := prepare(Data{Unit: care.Unit{Name: strings.Join(units, ", ")}, Day: r.Report.Drill.Start, Location: loc, Lang: r.Lang, Generated: r.Generated})
	return renderPasses(ctx, w, "drill report", func(total int) (*doc, bool, error) {
		d, err := layoutDrill(ctx, in, r, total)
		return d, true, err
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func layoutDrill(ctx context.Context, in *input, r DrillReportData, total int) (*doc, error) {
	p := fpdf.New("P", "mm", "A4", "")
	d := newDoc(ctx, p)
	d.in, d.total = in, total
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("drill report: load cp1252 translation: %w", err)
	}
	rep := r.Report
	dr := rep.Drill
	stamp := in.Generated
	if stamp.IsZero() {
		stamp = dr.Start
	}
	d.heading = d.stamp(dr.Start)
	d.docTitle = d.t("drill.report.title")
	setUpPDF(p, stamp)
	p.SetTitle(d.t("drill.report.title")+" – "+dr.Title, true)
	p.SetCreator("Beredskap", true)
	p.SetLang(langTag(in.lang))
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)

	d.addPage()
	d.title(d.t("drill.report.title") + ": " + dr.Title)
	d.para([]span{{text: d.t("drill.banner"), style: "B"}}, marginX, bodyW, 11, "L")
	facts := [][2]string{
		{d.t("drill.units"), in.Unit.Name},
		{d.t("drill.window"), d.stamp(dr.Start) + " – " + d.stamp(dr.End)},
		{d.t("drill.started_by"), cmpOr(dr.StartedName, dr.StartedBy)},
	}
	if dr.Ended != nil {
		facts = append(facts, [2]string{d.t("drill.ended_early"), d.stamp(*dr.Ended)})
	}
	back := d.t("drill.network_back.none")
	if dr.NetworkBack != nil {
		back = d.stamp(*dr.NetworkBack)
	}
	facts = append(facts, [2]string{d.t("drill.network_back"), back})
	for _, f := range facts {
		d.para([]span{{text: f[0] + ": ", style: "B"}, {text: f[1]}}, marginX, bodyW, 10, "L")
	}
	if dr.Scenario != "" {
		d.gap(2)
		d.para([]span{{text: d.t("drill.scenario") + ": ", style: "B"}, {text: dr.Scenario}}, marginX, bodyW, 10, "L")
	}

	d.gap(4)
	d.para([]span{{text: d.t("drill.report.participants"), style: "B", size: 13}}, marginX, bodyW, 13, "L")
	if len(rep.Participants) == 0 {
		d.para([]span{{text: d.t("drill.report.nobody"), style: "I"}}, marginX, bodyW, 10, "L")
	} else {
		t := &table{d: d, size: 9, headSize: 8, keyCols: 1, caption: func() { d.continued(d.t("drill.report.participants")) }, cols: []col{
			{head: d.t("drill.report.worker"), w: 90, align: "L"},
			{head: d.t("drill.report.held"), w: 45, align: "L"},
			{head: d.t("drill.report.records"), w: 45, align: "R"},
		}}
		t.start(8)
		for _, pt := range rep.Participants {
			held := d.t("drill.report.no")
			if pt.Held {
				held = d.t("drill.report.yes")
			}
			t.row([]cell{bold(cmpOr(pt.Name, pt.UserID)), text(held), text(i18n.Number(in.lang, pt.Records))}, 6)
		}
	}

	d.gap(4)
	d.para([]span{{text: d.t("drill.report.recorded", i18n.Number(in.lang, rep.Records)), style: "B", size: 13}}, marginX, bodyW, 13, "L")
	types := make([]string, 0, len(rep.ByType))
	for k := range rep.ByType {
		types = append(types, k)
	}
	slices.Sort(types)
	for _, k := range types {
		name := k
		if i18n.Has(in.lang, "record.type."+k) {
			name = d.t("record.type." + k)
		}
		d.para([]span{{text: name + ": "}, {text: i18n.Number(in.lang, rep.ByType[k]), style: "B"}}, marginX, bodyW, 10, "L")
	}

	d.gap(4)
	d.para([]span{{text: d.t("drill.report.findings", i18n.Number(in.lang, len(rep.Findings))), style: "B", size: 13}}, marginX, bodyW, 13, "L")
	names := map[string]string{}
	for _, pt := range rep.Participants {
		names[pt.UserID] = pt.Name
	}
	for _, f := range rep.Findings {
		if d.stopped() {
			break
		}
		d.para([]span{{text: "• " + d.findingText(f, names, r.PatientNames)}}, marginX, bodyW, 9, "L")
	}

	d.gap(4)
	d.para([]span{{text: d.t("drill.report.sync"), style: "B", size: 13}}, marginX, bodyW, 13, "L")
	switch {
	case dr.NetworkBack == nil:
		d.para([]span{{text: d.t("drill.network_back.none"), style: "I"}}, marginX, bodyW, 10, "L")
	case len(rep.Phones) == 0:
		d.para([]span{{text: d.t("drill.report.no_phones"), style: "I"}}, marginX, bodyW, 10, "L")
	default:
		t := &table{d: d, size: 9, headSize: 8, keyCols: 1, caption: func() { d.continued(d.t("drill.report.sync")) }, cols: []col{
			{head: d.t("drill.report.worker"), w: 60, align: "L"},
			{head: d.t("drill.report.records"), w: 30, align: "R"},
			{head: d.t("drill.report.first"), w: 45, align: "L"},
			{head: d.t("drill.report.last"), w: 45, align: "L"},
		}}
		t.start(8)
		for _, ph := range rep.Phones {
			who := cellOf(span{text: cmpOr(ph.Name, ph.UserID), style: "B"}, span{text: shortDevice(ph.DeviceID), size: 7})
			t.row([]cell{who, text(i18n.Number(in.lang, ph.Records)),
				text(i18n.Duration(in.lang, time.Duration(ph.FirstSeconds)*time.Second) + " (" + d.clock(ph.FirstAt) + ")"),
				text(i18n.Duration(in.lang, time.Duration(ph.LastSeconds)*time.Second) + " (" + d.clock(ph.LastAt) + ")")}, 6)
		}
	}
	if d.err != nil {
		return d, fmt.Errorf("drill report: layout stopped: %w", d.err)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("drill report: lay out PDF: %w", err)
	}
	return d, nil
}

// stamp is a local date and time in the report's language.
func (d *doc) stamp(t time.Time) string {
	l := t.In(d.in.loc)
	return i18n.Date(d.in.lang, l) + " " + i18n.Time(d.in.lang, l)
}

// findingText is a finding in the report's language, as the desk shows
// it: names for people and patients, local times; the server's English
// message where the catalogue does not know it.
func (d *doc) findingText(f wire.Finding, users, patients map[string]string) string {
	show := func(name, v string) string {
		switch name {
		case "author", "worker":
			return cmpOr(users[v], v)
		case "patient":
			return cmpOr(patients[v], v)
		case "device":
			return shortDevice(v)
		case "type":
			if key := "record.type." + v; i18n.Has(d.in.lang, key) {
				return d.t(key)
			}
		case "minutes":
			if m, err := strconv.Atoi(v); err == nil {
				return i18n.Duration(d.in.lang, time.Duration(m)*time.Minute)
			}
		}
		if strings.HasSuffix(name, "_at") {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return d.stamp(t)
			}
		}
		return v
	}
	text, ok := i18n.Finding(d.in.lang, f.Key, f.Args, show)
	if !ok {
		text = f.Message
	}
	if p := patients[f.PatientID]; p != "" {
		text = p + ": " + text
	}
	return text
}

// shortDevice is a phone's id as people compare it: its first eight
// characters.
func shortDevice(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
