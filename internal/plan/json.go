package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseJSON reads a plan from JSON (the body of POST /api/v1/plan).
// Unknown fields are problems, so that a misspelt field is not silently
// dropped; so are bytes that are not UTF-8, NUL bytes, a null where a
// value is needed (findNull) and anything after the plan.
func ParseJSON(r io.Reader) (*Plan, []Problem) {
	tr := checkedText(r)
	body, err := io.ReadAll(tr)
	if err != nil {
		if tr.problem != nil {
			return nil, []Problem{*tr.problem}
		}
		return nil, []Problem{{Column: "body", Problem: "cannot read the plan: " + err.Error()}}
	}
	if at, where := findNull(body); at >= 0 {
		return nil, []Problem{{Column: where, Problem: fmt.Sprintf("null at byte %d where the plan needs a value: leave the field out or give one", at)}}
	}
	var pl Plan
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pl); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, []Problem{{Column: fmt.Sprintf("byte %d", syn.Offset), Problem: "broken JSON"}}
		case errors.As(err, &typ):
			return nil, []Problem{{Column: typ.Field, Problem: "must be " + typ.Type.String()}}
		case errors.Is(err, io.EOF):
			return nil, []Problem{{Column: "body", Problem: "the plan is empty"}}
		default:
			return nil, []Problem{{Column: "body", Problem: err.Error()}}
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, []Problem{{Column: fmt.Sprintf("byte %d", dec.InputOffset()), Problem: "there is more after the plan's JSON object"}}
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

// listFields are the plan's list-valued fields: encoders write an empty
// list as null (Go's encoding/json does for a nil slice), so there null
// reads as no items. Everywhere else null is refused.
var listFields = map[string]bool{"patients": true, "visits": true, "medications": true, "routines": true,
	"relatives": true, "allergies": true, "warnings": true, "equipment": true, "tasks": true, "steps": true,
	"contacts": true, "units": true, "prn": true, "indications": true}

// findNull returns the offset and path of the first null that stands
// where a plan needs a value: the whole body, an item of a list, an
// object's field other than a list. The offset is -1 when there is none,
// or when the JSON does not parse (decoding reports that).
func findNull(b []byte) (int64, string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		array bool
		key   string // the object's current key; "" before it is read
		index int
	}
	var stack []frame
	path := func() string {
		var sb strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&sb, "[%d]", f.index)
			} else if f.key != "" {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			}
		}
		if sb.Len() == 0 {
			return "body"
		}
		return sb.String()
	}
	// value is called after each complete value in the current container.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].key = ""
			}
		}
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return -1, ""
		}
		top := len(stack) - 1
		if top >= 0 && !stack[top].array && stack[top].key == "" {
			if k, ok := tok.(string); ok {
				stack[top].key = k
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:top]
				value()
			}
		case nil:
			if top < 0 || stack[top].array || !listFields[stack[top].key] {
				return off, path()
			}
			value()
		default:
			value()
		}
		if len(stack) == 0 && tok != nil {
			if _, ok := tok.(json.Delim); ok {
				return -1, ""
			}
		}
	}
}
