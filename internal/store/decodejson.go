package store

import (
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// decodeOptions are encoding/json's rules for reading (names matched
// without regard to case, the last of a repeated name kept, invalid UTF-8
// read as U+FFFD, times as time.Time reads them) but for one: the input's
// syntax is not checked whole before it is decoded. Under v1's rules
// every value is read twice, once to check it and once to decode it: in
// an export of a million records that first pass was a quarter of the
// decoding's time.
var decodeOptions = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false))

// DecodeJSON decodes b into v as encoding/json's Unmarshal does, in one
// pass: what encoding/json decodes comes out the same, and what it
// refuses is refused. Where it differs is what v holds after an error
// (whatever was decoded before it, where Unmarshal leaves v as it was
// after a syntax error) and the error's wording: a caller that gets an
// error does not use v.
func DecodeJSON(b []byte, v any) error {
	return jsonv2.Unmarshal(b, v, decodeOptions)
}
