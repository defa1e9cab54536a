package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/wire"
)

// The desk's side of issue 18's logins: the identity provider's declared
// outage on every office page, the break-glass logins on the dashboard,
// and on the admin's page the outage's declaration, each user's linked
// identities and their printed sheet of one-time codes.

// loadLoginOutage fetches the provider outage every office page shows.
func (p *officePage) loadLoginOutage(ctx app.Context) {
	var st wire.ProviderOutageStatus
	p.call(ctx, func(c context.Context, token string) (err error) {
		st, err = p.shift.API().ProviderOutage(c)
		return err
	}, func(ctx app.Context) { p.loginOutage = st })
}

// loadBreakGlass fetches the latest break-glass logins.
func (p *dashboardPage) loadBreakGlass(ctx app.Context) {
	var r wire.BreakGlassUsesResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		r, err = p.shift.API().BreakGlassUses(c, token)
		return err
	}, func(ctx app.Context) { p.breakGlass = r.Uses })
}

// breakGlassCard lists the break-glass logins so that nobody misses one.
func (p *dashboardPage) breakGlassCard() app.UI {
	return app.Section().Class("card break-glass").Attr("role", "region").Attr("aria-labelledby", "break-glass-title").Attr("data-testid", "break-glass-uses").Body(
		app.H2().ID("break-glass-title").Text(p.t("desk.break_glass_title")),
		app.P().Class("small").Text(p.t("desk.break_glass_hint")),
		app.Ul().Body(app.Range(p.breakGlass).Slice(func(i int) app.UI {
			u := p.breakGlass[i]
			who := u.Name
			if who == "" {
				who = u.Username
			}
			return app.Li().Attr("data-testid", "break-glass-use").Text(p.t("desk.break_glass_row", who, p.stamp(u.At), u.Address))
		})),
	)
}

// loadProviders fetches the identity providers, for the link form.
func (p *usersPage) loadProviders(ctx app.Context) {
	var r wire.ProvidersResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		r, err = p.shift.API().Providers(c)
		return err
	}, func(ctx app.Context) {
		p.providers = r.Providers
		if p.link.Provider == "" && len(r.Providers) > 0 {
			p.link.Provider = r.Providers[0].ID
		}
	})
}

// loginServiceCard declares or ends the identity provider's outage.
func (p *usersPage) loginServiceCard() app.UI {
	st := p.loginOutage
	max := "8"
	return app.Section().Class("card form").Attr("data-testid", "login-service").Body(
		app.H2().Text(p.t("admin.login_service")),
		app.If(!st.Active, func() app.UI {
			return app.Div().Body(
				app.P().Class("muted").Text(p.t("admin.login_service_ok")),
				app.Label().For("po-reason").Text(p.t("admin.provider_outage_reason")),
				app.Textarea().ID("po-reason").Attr("data-testid", "provider-outage-reason").Required(true).
					Text(p.outageReason).OnInput(p.ValueTo(&p.outageReason)),
				app.Label().For("po-hours").Text(p.t("admin.provider_outage_hours", max)),
				app.Input().ID("po-hours").Type("number").Attr("min", "1").Attr("max", max).Attr("inputmode", "numeric").
					Attr("data-testid", "provider-outage-hours").Value(p.outageHours).OnInput(p.ValueTo(&p.outageHours)),
				app.Button().Type("button").Class("btn btn-primary btn-block").Attr("data-testid", "provider-outage-declare").
					Disabled(p.loading).Text(p.t("admin.provider_outage_declare")).OnClick(p.declareOutage),
			)
		}),
		app.If(st.Active, func() app.UI {
			return app.Div().Body(
				app.Button().Type("button").Class("btn btn-block").Attr("data-testid", "provider-outage-end").
					Disabled(p.loading).Text(p.t("admin.provider_outage_end")).OnClick(p.endOutage),
			)
		}),
	)
}

func (p *usersPage) declareOutage(ctx app.Context, e app.Event) {
	reason := strings.TrimSpace(p.outageReason)
	if reason == "" {
		p.problem = p.t("error.field.required", p.t("admin.provider_outage_reason"))
		focusAfterRender(ctx, "po-reason")
		return
	}
	hours, _ := strconv.Atoi(strings.TrimSpace(p.outageHours))
	p.changeOutage(ctx, wire.ProviderOutageRequest{Action: "declare", Reason: reason, Hours: hours}, p.t("admin.provider_outage_declared"))
}

func (p *usersPage) endOutage(ctx app.Context, e app.Event) {
	p.changeOutage(ctx, wire.ProviderOutageRequest{Action: "end"}, p.t("admin.provider_outage_ended"))
}

func (p *usersPage) changeOutage(ctx app.Context, req wire.ProviderOutageRequest, flash string) {
	var st wire.ProviderOutageStatus
	p.call(ctx, func(c context.Context, token string) (err error) {
		st, err = p.shift.API().ChangeProviderOutage(c, token, req)
		return err
	}, func(ctx app.Context) {
		p.loginOutage, p.flash = st, flash
		p.outageReason, p.outageHours = "", ""
	})
}

// openLogins shows one user's identities and sheet.
func (p *usersPage) openLogins(ctx app.Context, id string) {
	p.logins, p.identities, p.sheetStatus = id, nil, nil
	var ir wire.IdentitiesResponse
	var fs wire.FallbackSheetStatus
	p.call(ctx, func(c context.Context, token string) (err error) {
		if ir, err = p.shift.API().Identities(c, token, id); err != nil {
			return err
		}
		fs, err = p.shift.API().FallbackSheet(c, token, id)
		return err
	}, func(ctx app.Context) {
		if p.logins == id {
			p.identities, p.sheetStatus = ir.Identities, &fs
		}
	})
}

func (p *usersPage) userByID(id string) wire.UserView {
	for _, u := range p.users {
		if u.ID == id {
			return u
		}
	}
	var u wire.UserView
	u.ID = id
	return u
}

// providerLabel is a provider's name in the admin's language.
func (p *usersPage) providerLabel(id string) string {
	for _, pv := range p.providers {
		if pv.ID == id {
			if n := pv.Name[p.shift.Prefs().Lang()]; n != "" {
				return n
			}
			if n := pv.Name["en"]; n != "" {
				return n
			}
		}
	}
	return id
}

// loginsCard is one user's logins: the linked identities (unlink, link
// another) and the sheet of one-time codes (how many are left, issue a
// new one).
func (p *usersPage) loginsCard() app.UI {
	u := p.userByID(p.logins)
	id := u.ID
	return app.Section().Class("card form").Attr("data-testid", "user-logins-card").Attr("aria-labelledby", "logins-title").Body(
		app.H2().ID("logins-title").Text(p.t("admin.logins_of", u.Name+" ("+u.Username+")")),
		app.H3().Text(p.t("admin.identities")),
		app.If(p.identities != nil && len(p.identities) == 0, func() app.UI {
			return app.P().Class("muted").Text(p.t("admin.identity_none"))
		}),
		app.Ul().Class("devices").Body(app.Range(p.identities).Slice(func(i int) app.UI {
			l := p.identities[i]
			return app.Li().Attr("data-testid", "identity").Body(
				app.Span().Class("small").Text(p.t("admin.identity_row", p.providerLabel(l.Provider), l.Subject, p.stamp(l.Created))),
				app.Button().Type("button").Class("btn btn-small").Attr("data-testid", "unlink").Text(p.t("admin.unlink")).
					OnClick(func(ctx app.Context, e app.Event) {
						if !app.Window().Call("confirm", p.t("admin.unlink_confirm")).Bool() {
							return
						}
						req := wire.IdentityRequest{Provider: l.Provider, Subject: l.Subject}
						p.call(ctx, func(c context.Context, token string) error { return p.shift.API().UnlinkIdentity(c, token, id, req) },
							func(ctx app.Context) { p.flash = p.t("admin.unlinked_done"); p.openLogins(ctx, id) })
					}),
			)
		})),
		app.If(len(p.providers) > 0, func() app.UI {
			return app.Div().Class("row").Body(
				app.Div().Body(
					app.Label().For("link-provider").Text(p.t("admin.identity_provider")),
					app.Select().ID("link-provider").Attr("data-testid", "link-provider").OnChange(func(ctx app.Context, e app.Event) {
						p.link.Provider = ctx.JSSrc().Get("value").String()
					}).Body(app.Range(p.providers).Slice(func(i int) app.UI {
						pv := p.providers[i]
						return app.Option().Value(pv.ID).Text(p.providerLabel(pv.ID)).Selected(p.link.Provider == pv.ID)
					})),
				),
				app.Div().Body(
					app.Label().For("link-subject").Text(p.t("admin.identity_subject")),
					app.Input().ID("link-subject").Attr("data-testid", "link-subject").Attr("autocomplete", "off").
						Value(p.link.Subject).OnInput(p.ValueTo(&p.link.Subject)),
				),
			)
		}),
		app.If(len(p.providers) > 0, func() app.UI {
			return app.Button().Type("button").Class("btn").Attr("data-testid", "link").Text(p.t("admin.link")).
				OnClick(func(ctx app.Context, e app.Event) {
					req := wire.IdentityRequest{Provider: p.link.Provider, Subject: strings.TrimSpace(p.link.Subject)}
					if req.Subject == "" {
						return
					}
					p.call(ctx, func(c context.Context, token string) error { return p.shift.API().LinkIdentity(c, token, id, req) },
						func(ctx app.Context) {
							p.flash, p.link.Subject = p.t("admin.linked_done"), ""
							setFieldValue("link-subject", "")
							p.openLogins(ctx, id)
						})
				})
		}),
		app.H3().Text(p.t("admin.fallback_title")),
		app.If(p.sheetStatus != nil && !p.sheetStatus.Issued, func() app.UI {
			return app.P().Class("muted").Attr("data-testid", "fallback-status").Text(p.t("admin.fallback_none"))
		}),
		app.If(p.sheetStatus != nil && p.sheetStatus.Issued, func() app.UI {
			st := p.sheetStatus
			at := ""
			if st.IssuedAt != nil {
				at = p.stamp(*st.IssuedAt)
			}
			return app.P().Attr("data-testid", "fallback-status").Text(p.t("admin.fallback_left", strconv.Itoa(st.Left), strconv.Itoa(st.Total), at))
		}),
		app.Div().Class("form-actions").Body(
			app.Button().Type("button").Class("btn").Attr("data-testid", "fallback-issue").Disabled(p.loading).
				Text(p.t("admin.fallback_issue")).OnClick(func(ctx app.Context, e app.Event) {
				if p.sheetStatus != nil && p.sheetStatus.Issued && !app.Window().Call("confirm", p.t("admin.fallback_issue_confirm")).Bool() {
					return
				}
				var sh wire.FallbackSheetResponse
				p.call(ctx, func(c context.Context, token string) (err error) {
					sh, err = p.shift.API().IssueFallbackSheet(c, token, id)
					return err
				}, func(ctx app.Context) {
					p.sheet = &sh
					p.openLogins(ctx, id)
					focusAfterRender(ctx, "fallback-sheet-title")
				})
			}),
			app.Button().Type("button").Class("btn").Attr("data-testid", "logins-close").Text(p.t("admin.close")).
				OnClick(func(ctx app.Context, e app.Event) { p.logins, p.identities, p.sheetStatus = "", nil, nil }),
		),
	)
}

// sheetCard is a fresh sheet of one-time codes, shown this once, made to
// be printed: on paper only the sheet appears (app.css, @media print).
func (p *usersPage) sheetCard() app.UI {
	sh := p.sheet
	return app.Section().Class("card fallback-sheet").Attr("data-testid", "fallback-sheet").Attr("aria-labelledby", "fallback-sheet-title").Body(
		app.H2().ID("fallback-sheet-title").Attr("tabindex", "-1").Text(p.t("admin.fallback_sheet", sh.Name, sh.Username)),
		app.P().Class("small").Text(p.t("admin.fallback_issued", p.stamp(sh.IssuedAt))),
		app.P().Text(p.t("admin.fallback_use")),
		app.Ol().Class("fallback-codes").Body(app.Range(sh.Codes).Slice(func(i int) app.UI {
			return app.Li().Attr("data-testid", "sheet-code").Text(sh.Codes[i])
		})),
		app.P().Class("banner banner-important no-print").Attr("role", "note").Text(p.t("admin.fallback_sheet_hint")),
		app.Div().Class("form-actions no-print").Body(
			app.Button().Type("button").Class("btn btn-primary").Attr("data-testid", "fallback-print").Text(p.t("admin.fallback_print")).
				OnClick(func(ctx app.Context, e app.Event) { app.Window().Call("print") }),
			app.Button().Type("button").Class("btn").Attr("data-testid", "fallback-done").Text(p.t("admin.fallback_done")).
				OnClick(func(ctx app.Context, e app.Event) { p.sheet = nil }),
		),
	)
}
