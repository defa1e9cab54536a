package care

import (
	"slices"
	"testing"
)

func TestPatientFlags(t *testing.T) {
	cases := []struct {
		name string
		p    Patient
		want []string
	}{
		{"none", Patient{}, nil},
		{"equipment without mains power", Patient{Equipment: []Equipment{{Name: "rullator"}}}, nil},
		{"oxygen concentrator", Patient{Equipment: []Equipment{{Name: "oksygenkonsentrator", PowerDependent: true}}}, []string{FlagPower}},
		{"all, in list order", Patient{LivesAlone: true, MedicationDispenser: true, SafetyAlarm: true,
			Equipment: []Equipment{{Name: "respirator", PowerDependent: true}}}, FlagNames()},
		{"alarm and alone", Patient{LivesAlone: true, SafetyAlarm: true}, []string{FlagAlarm, FlagAlone}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.Flags(); !slices.Equal(got, c.want) {
				t.Errorf("Flags() = %v, want %v", got, c.want)
			}
		})
	}
}
