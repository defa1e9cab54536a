package app

import (
	"context"
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
)

// syncPage shows what the phone has written and whether the server has
// it, and sends on demand.
type syncPage struct {
	page
	busy   bool
	result string
}

func (p *syncPage) OnMount(ctx app.Context) { p.mount(ctx) }

func (p *syncPage) Render() app.UI {
	waiting := p.shift.Outbox().Waiting()
	phase := p.shift.Phase()
	var list app.UI = app.Text("")
	if gate, open := p.gate(); !open && phase != shift.PhaseOffice {
		list = gate // unlocking (or logging in) is what sends them
	} else if phase == shift.PhaseUnlocked {
		recs := p.shift.Outbox().Records("")
		list = app.Section().Class("card").Body(
			app.H2().Text(p.t("sync.recorded")),
			app.If(len(recs) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("sync.nothing")) }),
			recordList(p.shift, p.shift.Bundle(), recs, true),
		)
	}
	canSend := phase == shift.PhaseUnlocked || phase == shift.PhasePIN || phase == shift.PhaseOffice
	return p.frame("sync", p.t("sync.title"),
		app.Section().Class("card").Body(
			app.P().Attr("data-testid", "sync-summary").Text(p.t("sync.waiting", waiting)),
			app.If(p.shift.Syncer().NeedsLogin(), func() app.UI {
				return app.P().Class("banner banner-important").Text(p.t("sync.needs_login"))
			}),
			app.If(!canSend && waiting > 0, func() app.UI {
				return app.P().Class("muted").Text(p.t("sync.after_unlock"))
			}),
			app.If(p.result != "", func() app.UI {
				return app.P().Attr("role", "status").Attr("data-testid", "sync-result").Text(p.result)
			}),
			app.Button().Class("btn btn-primary btn-block").Attr("data-testid", "sync-now").
				Disabled(p.busy || !canSend).Body(icon("sync"), app.Span().Text(busyLabel(p.shift, p.busy, "sync.now", "sync.sending"))).
				OnClick(p.sendNow),
		),
		list,
	)
}

func (p *syncPage) sendNow(ctx app.Context, e app.Event) {
	if p.busy {
		return
	}
	p.busy, p.result = true, ""
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		err := p.shift.Syncer().SyncNow(c)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			switch {
			case err == nil:
				p.result = p.t("sync.done")
			case errors.Is(err, shift.ErrOffline):
				p.result = p.t("sync.offline")
			case errors.Is(err, shift.ErrNeedsLogin):
				p.result = p.t("sync.needs_login")
			default:
				p.result = p.t("error.generic")
			}
		})
	})
}
