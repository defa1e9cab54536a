package vault

import (
	"context"
	"errors"
	"testing"
)

// TestFaultyFailsTheNthWrite: commits and clears count together; the
// chosen one fails and writes nothing, the others pass through.
func TestFaultyFailsTheNthWrite(t *testing.T) {
	ctx := context.Background()
	for failAt := 0; failAt <= 3; failAt++ {
		m := NewMemory()
		f := NewFaulty(m)
		f.FailAt(failAt)
		errs := []error{
			f.Commit(ctx, Put(Meta, "a", []byte("1"))),
			f.Clear(ctx, Meta),
			f.Commit(ctx, Put(Meta, "c", []byte("3"))),
		}
		for i, err := range errs {
			if want := i+1 == failAt; errors.Is(err, ErrInjected) != want || (!want && err != nil) {
				t.Errorf("FailAt(%d): write %d = %v", failAt, i+1, err)
			}
		}
		if f.Writes() != 3 || f.Failed() != (failAt > 0) {
			t.Errorf("FailAt(%d): %d writes, failed %v", failAt, f.Writes(), f.Failed())
		}
		_, errA := m.Get(ctx, Meta, "a")
		_, errC := m.Get(ctx, Meta, "c")
		// a survives only when the clear failed; c is gone only when its
		// own commit failed.
		if (errA == nil) != (failAt == 2) || (errC == nil) != (failAt != 3) {
			t.Errorf("FailAt(%d): a: %v, c: %v", failAt, errA, errC)
		}
	}
}
