package app

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
)

// saveRecord writes r to the outbox off the UI goroutine and, back on it,
// clears the form's busy flag and either says in problem why nothing was
// saved or calls saved: only a nil from Write lets a form say "saved".
func saveRecord(ctx app.Context, s *shift.Shift, r care.Record, busy *bool, problem *string, saved func(ctx app.Context)) {
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := s.Outbox().Write(c, r)
		ctx.Dispatch(func(ctx app.Context) {
			*busy = false
			if err != nil {
				*problem = s.Outbox().NotSaved(err)
				return
			}
			saved(ctx)
		})
	})
}
