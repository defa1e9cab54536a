package app

import (
	"context"
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/wire"
)

// phonesPage lists the worker's phones so that, logged in on this one,
// she reports another lost (issue 19, item 3): the server revokes it and
// the desk sees what it may still hold. It needs the server.
type phonesPage struct {
	page
	own     *wire.OwnDevicesResponse
	busy    bool
	problem string
	done    string
}

func (p *phonesPage) OnMount(ctx app.Context) {
	p.mount(ctx)
	p.load(ctx)
}

func (p *phonesPage) explain(err error) string {
	switch {
	case errors.Is(err, shift.ErrLocked):
		return p.t("phones.locked")
	case shift.ErrorCode(err) == "":
		return p.t("sync.offline")
	}
	return shift.ErrorText(p.shift.Prefs().Lang(), err)
}

func (p *phonesPage) load(ctx app.Context) {
	if p.shift.Phase() != shift.PhaseUnlocked {
		return
	}
	p.busy = true
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		own, err := p.shift.Keyring().OwnDevices(c)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.problem = p.explain(err)
				return
			}
			p.own, p.problem = &own, ""
		})
	})
}

func (p *phonesPage) report(ctx app.Context, id string) {
	if !app.Window().Call("confirm", p.t("phones.confirm")).Bool() {
		return
	}
	p.busy, p.done = true, ""
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := p.shift.Keyring().ReportLost(c, id)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.problem = p.explain(err)
				return
			}
			p.done = p.t("phones.reported")
			p.load(ctx)
		})
	})
}

func (p *phonesPage) Render() app.UI {
	if gate, ok := p.gate(); !ok {
		return p.frame("", p.t("phones.title"), gate)
	}
	var devices []wire.DeviceView
	current := ""
	if p.own != nil {
		devices, current = p.own.Devices, p.own.Current
	}
	return p.frame("", p.t("phones.title"),
		app.Section().Class("card").Attr("data-testid", "phones").Body(
			app.H2().Text(p.t("phones.title")),
			app.P().Class("muted").Text(p.t("phones.hint")),
			app.If(p.problem != "", func() app.UI {
				return app.P().Class("banner banner-important").Attr("role", "alert").Attr("data-testid", "phones-error").Text(p.problem)
			}),
			app.If(p.done != "", func() app.UI {
				return app.P().Class("banner banner-info").Attr("role", "status").Attr("data-testid", "phones-done").Text(p.done)
			}),
			app.Ul().Class("devices").Body(app.Range(devices).Slice(func(i int) app.UI {
				d := devices[i]
				return app.Li().Attr("data-testid", "own-phone").Body(
					app.Span().Class("small").Text(truncate(d.Label, 40)+" · "+p.t("phones.registered", localStamp(p.shift.Prefs().Lang(), d.Created, localTime))),
					app.If(d.ID == current, func() app.UI { return app.Span().Class("tag").Text(p.t("phones.this")) }),
					app.If(d.Revoked != nil, func() app.UI { return app.Span().Class("tag tag-p1").Text(p.t("admin.revoked")) }),
					app.If(d.ID != current && d.Revoked == nil, func() app.UI {
						return app.Button().Class("btn btn-small").Attr("data-testid", "report-lost").Disabled(p.busy).
							Text(p.t("phones.report")).OnClick(func(ctx app.Context, e app.Event) { p.report(ctx, d.ID) })
					}),
				)
			})),
		),
	)
}
