package binder

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"beredskap/internal/wire"
)

func drillReportData(lang string) DrillReportData {
	start := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC) // 10:00 in Oslo
	back := start.Add(90 * time.Minute)
	rep := wire.DrillReport{
		Drill: wire.Drill{ID: "d1", Units: []string{"n"}, Title: "Strømbrudd i Sandefjord", Scenario: "Felles tema for en teoretisk beredskapsøvelse",
			Start: start, End: start.Add(3 * time.Hour), StartedName: "Kari Koordinator", NetworkBack: &back},
		Participants: []wire.DrillParticipant{{UserID: "u1", Name: "Anna Arbeider", Held: true, Records: 2}, {UserID: "u2", Name: "Bo Borte", Held: true}},
		ByType:       map[string]int{"note": 2},
		Records:      2,
		Findings: []wire.Finding{{Kind: wire.FindingEmergencyAccess, PatientID: "p1", RecordIDs: []string{"r1"},
			Message: "emergency access by u1", Key: "finding.emergency_access", Args: map[string]string{"author": "u1"}}},
		Phones: []wire.DrillPhoneSync{{DeviceID: "0190b6a2-dead-beef", UserID: "u1", Name: "Anna Arbeider", Records: 2,
			FirstAt: back.Add(5 * time.Minute), LastAt: back.Add(12 * time.Minute), FirstSeconds: 300, LastSeconds: 720}},
	}
	return DrillReportData{Report: rep, UnitNames: map[string]string{"n": "Nord"}, PatientNames: map[string]string{"p1": "Liv Lund"},
		Location: oslo, Lang: lang, Generated: start.Add(4 * time.Hour)}
}

// The drill report prints the drill, who took part, what was recorded,
// the findings in words with names, and each phone's time to sync with
// local times, in the language asked for; the same data gives the same
// bytes.
func TestDrillReportPDF(t *testing.T) {
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"nb", []string{"Øvelsesrapport: Strømbrudd i Sandefjord", "ØVELSE", "Nord", "Kari Koordinator", "Felles tema for en teoretisk beredskapsøvelse",
			"Hvem deltok", "Anna Arbeider", "Bo Borte", "Registrert (2)", "Funn i øvelsen (1)", "Liv Lund", "Anna Arbeider",
			"Tid til synkronisering", "11:30", "11:35", "11:42", "0190b6a2", "Side 1 av 1"}},
		{"en", []string{"Drill report: Strømbrudd i Sandefjord", "DRILL", "Who took part", "Recorded (2)", "Findings of the drill (1)", "Time to sync", "11:35"}},
	} {
		var buf bytes.Buffer
		d := drillReportData(c.lang)
		if err := RenderDrillReport(context.Background(), &buf, d); err != nil {
			t.Fatal(err)
		}
		r := readBack(t, buf.Bytes())
		text := r.all()
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the report lacks %q:\n%s", c.lang, w, text)
			}
		}
		if strings.Contains(text, "emergency access by u1") {
			t.Errorf("%s: the finding is printed in the server's English, not in words", c.lang)
		}
		var again bytes.Buffer
		if err := RenderDrillReport(context.Background(), &again, d); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Errorf("%s: the same data gave other bytes (%v)", c.lang, err)
		}
	}
	var buf bytes.Buffer
	d := drillReportData("nb")
	d.Report.Drill.NetworkBack, d.Report.Phones = nil, nil
	if err := RenderDrillReport(context.Background(), &buf, d); err != nil {
		t.Fatal(err)
	}
	if text := readBack(t, buf.Bytes()).all(); !strings.Contains(text, "Nettet er ikke meldt tilbake") {
		t.Errorf("a drill without network back does not say so:\n%s", text)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RenderDrillReport(ctx, &buf, d); err == nil {
		t.Error("a cancelled render succeeded")
	}
}
