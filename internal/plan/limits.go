package plan

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// How much one import may hold. A municipality's day is far below them
// (10,000 patients is a large Nordic city's home care); a plan above them
// is refused whole as too large, before anything is looked up or stored,
// so that no import can make the server work without end or fail half
// way. The store writes a plan within them atomically (store.ApplyPlan).
const (
	MaxPatients = 10_000
	MaxVisits   = 50_000  // five per patient
	MaxDoses    = 100_000 // ten per patient
	MaxRoutines = 1_000
)

// SizeError says which part of a plan is over its limit.
type SizeError struct {
	What  string // patients, visits, medications or routines
	Count int
	Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("the plan has %d %s; an import may hold at most %d", e.Count, e.What, e.Limit)
}

// CheckSize refuses a plan with more items than an import may hold.
func (pl *Plan) CheckSize() error {
	for _, c := range []SizeError{{"patients", len(pl.Patients), MaxPatients}, {"visits", len(pl.Visits), MaxVisits},
		{"medications", len(pl.Medications), MaxDoses}, {"routines", len(pl.Routines), MaxRoutines}} {
		if c.Count > c.Limit {
			return &c
		}
	}
	return nil
}

// errText is a body that is not text: invalid UTF-8 or a NUL byte.
var errText = errors.New("not text")

// textReader passes bytes through while checking that they are UTF-8
// without NUL bytes; a rune split between two reads is checked whole.
type textReader struct {
	r       io.Reader
	off     int64  // bytes checked so far
	pending []byte // the start of a rune cut off by the last read
	problem *Problem
}

func (t *textReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.problem != nil {
		return 0, errText
	}
	buf := append(t.pending, p[:n]...)
	t.pending = nil
	i := 0
	for i < len(buf) {
		if buf[i] == 0 {
			t.fail(int64(i), "the plan holds a NUL byte")
			return 0, errText
		}
		if buf[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(buf[i:]) && err == nil {
			t.pending = append([]byte(nil), buf[i:]...) // finish it with the next read
			break
		}
		r, size := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && size <= 1 {
			t.fail(int64(i), "the plan is not valid UTF-8")
			return 0, errText
		}
		i += size
	}
	t.off += int64(i)
	return n, err
}

func (t *textReader) fail(at int64, problem string) {
	t.problem = &Problem{Column: fmt.Sprintf("byte %d", t.off+at), Problem: problem}
}

// checkedText wraps r so that what is read from it must be text.
func checkedText(r io.Reader) *textReader { return &textReader{r: r} }
