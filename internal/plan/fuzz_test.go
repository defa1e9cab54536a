package plan

import (
	"context"
	"os"
	"strings"
	"testing"
)

// FuzzParseCSV feeds arbitrary files to the CSV plan reader: no panics,
// every problem has a column, and a plan read without problems resolves
// without panicking too.
func FuzzParseCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/plan.csv"); err == nil {
		f.Add(string(b))
	}
	f.Add("kind,source_id\npatient,1\n")
	f.Add("kind\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		pl, problems := ParseCSV(strings.NewReader(in), oslo(), nil)
		for _, p := range problems {
			if p.Column == "" || p.Problem == "" {
				t.Fatalf("a problem without a column or text: %+v", p)
			}
		}
		if pl != nil && len(problems) == 0 {
			pl.resolve(context.Background(), Directory{})
		}
	})
}
