package binder

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/demo"
)

// TestEquipmentListDemo prints the demo municipality's weekly list and
// checks it holds exactly the patients whose card has power-dependent or
// life-critical equipment, a dispenser or a safety alarm, each with what
// to do when the power fails, relatives and nurse; and no one else.
func TestEquipmentListDemo(t *testing.T) {
	monday := time.Date(2026, 3, 16, 0, 0, 0, 0, oslo)
	m := demo.Build(monday, oslo)
	e := EquipmentData{Units: m.Units, Patients: m.Patients, Week: monday, Location: oslo, Lang: "nb", Generated: monday.Add(7 * time.Hour)}
	var buf bytes.Buffer
	if err := RenderEquipment(context.Background(), &buf, e); err != nil {
		t.Fatal(err)
	}
	r := readBack(t, buf.Bytes())
	text := r.all()
	on, off := 0, 0
	for _, p := range m.Patients {
		want := false
		for _, q := range p.Equipment {
			want = want || q.PowerDependent || q.LifeCritical
		}
		want = want || p.SafetyAlarm || p.MedicationDispenser
		if got := strings.Contains(text, p.Name); got != want {
			t.Errorf("%s (equipment %v, alarm %v) on the list: %v, want %v", p.Name, p.Equipment, p.SafetyAlarm, got, want)
		}
		if want {
			on++
			for _, s := range []string{p.Address, p.ResponsibleNurse.Name} {
				if !strings.Contains(text, s) {
					t.Errorf("%s's row lacks %q", p.Name, s)
				}
			}
			for _, rel := range p.Relatives {
				if !strings.Contains(text, rel.Name) {
					t.Errorf("%s's row lacks the relative %s", p.Name, rel.Name)
				}
			}
			for _, q := range p.Equipment {
				if q.Note != "" && !strings.Contains(text, q.Name+": "+q.Note) {
					t.Errorf("%s's row lacks what to do with %s", p.Name, q.Name)
				}
			}
		} else {
			off++
		}
	}
	if on == 0 || off == 0 {
		t.Fatalf("the demo has %d patients on the list and %d off: the test proves nothing", on, off)
	}
	if got := len(e.Listed()); got != on {
		t.Errorf("Listed gives %d patients, want %d", got, on)
	}
	for _, w := range []string{"Pasienter med strømavhengig og livsviktig utstyr og trygghetsalarm", "Uke 12 (16.03.2026–22.03.2026)",
		"Livsviktig utstyr som krever strøm", "Trygghetsalarm", "Ved strømbrudd", "Alle enheter"} {
		if !strings.Contains(text, w) {
			t.Errorf("the list lacks %q", w)
		}
	}
	for i, p := range r.pages {
		if !strings.Contains(p, "Uke 12") || !strings.Contains(p, "Side "+itoa(i+1)+" av "+itoa(len(r.pages))) {
			t.Errorf("page %d lacks the week or its number", i+1)
		}
	}
}

// TestEquipmentListOrder: per unit, life-critical first, then other
// power-dependent equipment, then safety alarms, by name within each.
func TestEquipmentListOrder(t *testing.T) {
	d := testData()
	d.Patients = append(d.Patients,
		care.Patient{ID: "p-alarm", Name: "Alf Alarm", SafetyAlarm: true},
		care.Patient{ID: "p-bed", Name: "Berit Seng", Equipment: []care.Equipment{{Name: "Elektrisk seng", PowerDependent: true}}},
		care.Patient{ID: "p-none", Name: "Ingen Utstyr"},
	)
	e := EquipmentData{Units: []care.Unit{d.Unit}, Patients: d.Patients, Week: time.Date(2026, 3, 16, 0, 0, 0, 0, oslo), Location: oslo, Lang: "nb"}
	var names []string
	for _, p := range e.Listed() {
		names = append(names, p.Name)
	}
	want := "Øystein Lærum,Åshild Bråten,Berit Seng,Kjærsti Nygård,Alf Alarm"
	if got := strings.Join(names, ","); got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
	for _, lang := range []string{"sv", "da", "en"} {
		e.Lang = lang
		var buf bytes.Buffer
		if err := RenderEquipment(context.Background(), &buf, e); err != nil {
			t.Fatal(err)
		}
		if text := readBack(t, buf.Bytes()).all(); strings.Contains(text, "equipment.") || strings.Contains(text, "Ved strømbrudd") {
			t.Errorf("%s: a key or the Norwegian text is printed", lang)
		}
	}
}

func TestEquipmentListErrors(t *testing.T) {
	d := testData()
	e := EquipmentData{Units: []care.Unit{d.Unit}, Patients: d.Patients, Week: time.Date(2026, 3, 16, 0, 0, 0, 0, oslo), Location: oslo, Lang: "nb"}
	if err := RenderEquipment(context.Background(), nil, e); err == nil {
		t.Error("nil writer accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := RenderEquipment(ctx, &buf, e); !errors.Is(err, context.Canceled) || buf.Len() != 0 {
		t.Errorf("cancelled: %v, %d bytes written", err, buf.Len())
	}
	// Nobody with such equipment still prints a list that says so.
	e.Patients = []care.Patient{{ID: "p", Name: "Uten Utstyr"}}
	buf.Reset()
	if err := RenderEquipment(context.Background(), &buf, e); err != nil {
		t.Fatal(err)
	}
	if text := readBack(t, buf.Bytes()).all(); !strings.Contains(text, "Ingen pasienter har") || strings.Contains(text, "Uten Utstyr") {
		t.Errorf("empty list: %s", text)
	}
}
