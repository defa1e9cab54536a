package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ParseJSON reads a plan from JSON (the body of POST /api/v1/plan).
// Unknown fields are problems, so that a misspelt field is not silently
// dropped.
func ParseJSON(r io.Reader) (*Plan, []Problem) {
	var pl Plan
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pl); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, []Problem{{Column: fmt.Sprintf("byte %d", syn.Offset), Problem: "broken JSON"}}
		case errors.As(err, &typ):
			return nil, []Problem{{Column: typ.Field, Problem: "must be " + typ.Type.String()}}
		default:
			return nil, []Problem{{Column: "body", Problem: err.Error()}}
		}
	}
	for i := range pl.Patients {
		pl.Patients[i].path = fmt.Sprintf("patients[%d]", i)
	}
	for i := range pl.Visits {
		pl.Visits[i].path = fmt.Sprintf("visits[%d]", i)
	}
	for i := range pl.Medications {
		pl.Medications[i].path = fmt.Sprintf("medications[%d]", i)
	}
	return &pl, nil
}
