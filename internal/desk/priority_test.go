package desk

import (
	"slices"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestSortPriority(t *testing.T) {
	oxygen := []care.Equipment{{Name: "oxygen", PowerDependent: true}}
	pt := func(name string, p care.Priority, eq []care.Equipment) wire.PriorityEntry {
		return wire.PriorityEntry{Patient: care.Patient{Name: name, Priority: p, Equipment: eq}}
	}
	for _, tc := range []struct {
		name string
		in   []wire.PriorityEntry
		want []string
	}{
		{"priority first", []wire.PriorityEntry{pt("A", 3, nil), pt("B", 1, nil), pt("C", 2, nil)}, []string{"B", "C", "A"}},
		{"power-dependent before others of the same priority", []wire.PriorityEntry{pt("A", 2, nil), pt("B", 2, oxygen), pt("C", 1, nil)}, []string{"C", "B", "A"}},
		{"then by name", []wire.PriorityEntry{pt("Per", 2, nil), pt("Anna", 2, nil), pt("Kari", 2, oxygen), pt("Bo", 2, oxygen)}, []string{"Bo", "Kari", "Anna", "Per"}},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			SortPriority(tc.in)
			var got []string
			for _, e := range tc.in {
				got = append(got, e.Patient.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("order %v, want %v", got, tc.want)
			}
		})
	}
}
