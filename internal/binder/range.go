package binder

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"beredskap/internal/care"
)

// MaxDays is the longest range one binder prints: two weeks covers the
// longest holidays (Easter, Christmas to New Year) with room to spare,
// and bounds the work of one request.
const MaxDays = 14

// Catalogue keys of a bad range (DESIGN §5's "key"); the field's name
// comes first.
const (
	KeyBeforeFrom = "error.field.before_from" // field
	KeyMaxDays    = "error.field.max_days"    // field, the most days
	KeyDateOrFrom = "error.field.date_or_range"
)

// Range reads the days a binder covers from a request or the command line:
// date alone is that day (the one-day binder as before); from and to
// (YYYY-MM-DD, inclusive, in loc) are a range, to defaulting to from and
// from to today; nothing at all is today. It returns midnight (in loc) of
// the first day and how many days follow. A range that runs backwards, is
// longer than MaxDays or is given together with date is invalid
// (care.ValidationError with a catalogue key), and so is a malformed date.
func Range(date, from, to string, now time.Time, loc *time.Location) (time.Time, int, error) {
	parse := func(field, v string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return time.Time{}, care.Invalid(field, field+" must be YYYY-MM-DD", care.KeyDate)
		}
		return t, nil
	}
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if date != "" {
		if from != "" || to != "" {
			return time.Time{}, 0, care.Invalid("date", "give either date or from and to, not both", KeyDateOrFrom)
		}
		t, err := parse("date", date)
		return t, 1, err
	}
	first, last := today, time.Time{}
	var err error
	if from != "" {
		if first, err = parse("from", from); err != nil {
			return time.Time{}, 0, err
		}
	}
	last = first
	if to != "" {
		if last, err = parse("to", to); err != nil {
			return time.Time{}, 0, err
		}
	}
	n := DaysBetween(first, last) + 1
	switch {
	case n < 1:
		return time.Time{}, 0, care.Invalid("to", "to lies before from", KeyBeforeFrom)
	case n > MaxDays:
		return time.Time{}, 0, care.Invalid("to", fmt.Sprintf("at most %d days in one binder", MaxDays), KeyMaxDays, strconv.Itoa(MaxDays))
	}
	return first, n, nil
}

// DaysBetween counts the calendar days from a to b (midnights in one
// zone): not the hours divided by 24, which a change to or from summer
// time would round wrong.
func DaysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// LoadRange gathers the binders of n days from the day that holds first
// (in loc), one Data per day as Load gives it.
func LoadRange(ctx context.Context, db Source, unit string, first time.Time, n int, loc *time.Location, lang string) ([]Data, error) {
	if n < 1 || n > MaxDays {
		return nil, care.Invalid("to", fmt.Sprintf("from 1 to %d days", MaxDays), KeyMaxDays, strconv.Itoa(MaxDays))
	}
	first = first.In(loc)
	days := make([]Data, 0, n)
	for i := range n {
		// AddDate on the calendar date, then midnight in loc: the day after
		// the change to summer time is 23 hours away, not 24.
		day := time.Date(first.Year(), first.Month(), first.Day()+i, 12, 0, 0, 0, loc)
		d, err := Load(ctx, db, unit, day, loc, lang)
		if err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	return days, nil
}
