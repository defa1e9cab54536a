package app

import (
	"context"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// usersPage is the admin's: users and their phones (with last contact),
// adding, disabling and resetting users, revoking a lost phone, and a
// backup of the running server.
type usersPage struct {
	officePage
	users  []wire.UserView
	add    wire.NewUserRequest
	resets map[string]string
	flash  string
	// collisions are accounts whose usernames became one name when
	// usernames began to be normalised; renames holds the new names typed
	// for them.
	collisions []wire.UsernameCollision
	renames    map[string]string

	// Issue 18: the identity providers (for the link form), the user
	// whose logins are open, their linked identities and sheet status,
	// a fresh sheet (shown once), and the outage form.
	providers    []wire.ProviderView
	logins       string
	identities   []wire.IdentityLink
	sheetStatus  *wire.FallbackSheetStatus
	sheet        *wire.FallbackSheetResponse
	link         wire.IdentityRequest
	outageReason string
	outageHours  string
}

func (p *usersPage) OnMount(ctx app.Context) {
	p.resets = map[string]string{}
	p.renames = map[string]string{}
	p.add.Role = care.RoleWorker
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.loadProviders(ctx)
		p.refresh(ctx)
	})
}

func (p *usersPage) refresh(ctx app.Context) {
	var ur wire.UsersResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		ur, err = p.shift.API().Users(c, token)
		return err
	}, func(ctx app.Context) { p.users, p.collisions = ur.Users, ur.Collisions })
}

// actOnUsername is act for a request that sets a username: a name that
// another user has (after normalisation) gets its own explanation rather
// than the desk's general one about conflicts.
func (p *usersPage) actOnUsername(ctx app.Context, f func(c context.Context, token string) error, flash string) {
	taken := false
	p.call(ctx, func(c context.Context, token string) error {
		err := f(c, token)
		if shift.ErrorCode(err) == wire.CodeConflict {
			taken = true
			return nil
		}
		return err
	}, func(ctx app.Context) {
		if taken {
			p.flash, p.problem = "", p.t("admin.username_taken")
			return
		}
		p.flash = flash
		p.refresh(ctx)
	})
}

// collisionsCard asks an admin to rename accounts whose usernames are one
// name once normalised: only one of them can log in with it.
func (p *usersPage) collisionsCard() app.UI {
	return app.Section().Class("card").Attr("role", "alert").Attr("data-testid", "username-collisions").Body(
		app.H2().Text(p.t("admin.collisions_title")),
		app.P().Text(p.t("admin.collisions_hint")),
		app.Range(p.collisions).Slice(func(i int) app.UI {
			c := p.collisions[i]
			return app.Ul().Class("devices").Body(app.Range(c.UserIDs).Slice(func(j int) app.UI {
				id, name := c.UserIDs[j], ""
				if j < len(c.Usernames) {
					name = c.Usernames[j]
				}
				field := "rename-" + id
				return app.Li().Attr("data-testid", "collision").Attr("data-username", name).Body(
					app.Strong().Text(name),
					app.If(id == c.LogsIn, func() app.UI {
						return app.Span().Class("tag").Text(p.t("admin.collision_logs_in"))
					}),
					app.Div().Class("reset").Body(
						app.Label().For(field).Class("small").Text(p.t("admin.new_username")),
						app.Input().ID(field).Attr("data-testid", "rename-username").Attr("autocomplete", "off").
							Value(p.renames[id]).
							OnInput(func(ctx app.Context, e app.Event) { p.renames[id] = ctx.JSSrc().Get("value").String() }),
						app.Button().Class("btn btn-small").Attr("data-testid", "rename").Text(p.t("admin.rename")).OnClick(func(ctx app.Context, e app.Event) {
							to := strings.TrimSpace(p.renames[id])
							if to == "" {
								return
							}
							p.renames[id] = ""
							setFieldValue(field, "")
							p.actOnUsername(ctx, func(c context.Context, token string) error { return p.shift.API().RenameUser(c, token, id, to) }, p.t("admin.renamed_done", to))
						}),
					),
				)
			}))
		}),
	)
}

func (p *usersPage) act(ctx app.Context, f func(c context.Context, token string) error, flash string) {
	p.call(ctx, f, func(ctx app.Context) {
		p.flash = flash
		p.refresh(ctx)
	})
}

func (p *usersPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("users", p.t("office.title"), ui)
	}
	if _, u, _ := p.shift.Keyring().OfficeSession(); u.Role != care.RoleAdmin {
		return p.officeFrame("users", p.t("admin.title"), app.P().Class("card").Text(p.t("office.forbidden")))
	}
	var units []care.Unit
	if p.dir != nil {
		units = p.dir.Units
	}
	roles := []care.Role{care.RoleWorker, care.RoleNurse, care.RoleCoordinator, care.RoleAdmin}
	return p.officeFrame("users", p.t("admin.title"),
		app.If(p.sheet != nil, p.sheetCard),
		app.If(p.flash != "", func() app.UI {
			return app.P().Class("banner banner-ok").Attr("role", "status").Attr("data-testid", "admin-flash").Text(p.flash)
		}),
		p.loginServiceCard(),
		app.If(len(p.collisions) > 0, p.collisionsCard),
		app.Section().Class("card").Body(
			app.H2().Text(p.t("admin.backup")),
			app.P().Class("muted").Text(p.t("admin.backup_hint")),
			app.Button().Class("btn").Attr("data-testid", "backup").Text(p.t("admin.backup_download")).OnClick(p.backup),
		),
		app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "users-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(p.t("login.username")), app.Th().Text(p.t("admin.name")), app.Th().Text(p.t("admin.role")),
				app.Th().Text(p.t("admin.devices")), app.Th().Text(p.t("admin.actions")),
			)),
			app.TBody().Body(app.Range(p.users).Slice(func(i int) app.UI {
				u := p.users[i]
				return app.Tr().Attr("data-testid", "user-row").Attr("data-username", u.Username).Body(
					app.Td().Body(app.Text(u.Username), app.If(u.Disabled, func() app.UI {
						return app.Span().Class("tag tag-p1").Text(p.t("admin.disabled"))
					})),
					app.Td().Text(u.Name),
					app.Td().Text(p.t("admin.role."+string(u.Role))),
					app.Td().Body(app.Ul().Class("devices").Body(app.Range(u.Devices).Slice(func(j int) app.UI {
						d := u.Devices[j]
						return app.Li().Attr("data-testid", "device").Body(
							app.Span().Class("small").Text(truncate(d.Label, 40)+" · "+p.t("admin.last_seen", p.stamp(d.LastSeen))),
							app.If(d.Revoked != nil, func() app.UI { return app.Span().Class("tag tag-p1").Text(p.t("admin.revoked")) }),
							app.A().Class("btn btn-small").Attr("data-testid", "exposure-link").Href(exposurePath(d.ID)).Text(p.t("exposure.open")),
							app.If(d.Revoked == nil, func() app.UI {
								return app.Button().Class("btn btn-small").Attr("data-testid", "revoke").Text(p.t("admin.revoke")).
									OnClick(func(ctx app.Context, e app.Event) {
										if !app.Window().Call("confirm", p.t("admin.revoke_confirm")).Bool() {
											return
										}
										id := d.ID
										p.act(ctx, func(c context.Context, token string) error { return p.shift.API().RevokeDevice(c, token, id) }, p.t("admin.revoked_done"))
									})
							}),
						)
					}))),
					app.Td().Body(
						app.Button().Type("button").Class("btn btn-small").Attr("data-testid", "user-logins").
							Attr("aria-expanded", p.logins == u.ID).Text(p.t("admin.logins")).
							OnClick(func(ctx app.Context, e app.Event) {
								p.openLogins(ctx, u.ID)
								focusAfterRender(ctx, "logins-title")
							}),
						app.If(!u.Disabled, func() app.UI {
							return app.Button().Class("btn btn-small").Attr("data-testid", "disable").Text(p.t("admin.disable")).
								OnClick(func(ctx app.Context, e app.Event) {
									id := u.ID
									p.act(ctx, func(c context.Context, token string) error { return p.shift.API().DisableUser(c, token, id) }, p.t("admin.disabled_done"))
								})
						}),
						app.Div().Class("reset").Body(
							app.Input().ID("reset-"+u.ID).Type("password").Attr("autocomplete", "new-password").Attr("aria-label", p.t("admin.new_password")).
								Attr("placeholder", p.t("admin.new_password")).Value(p.resets[u.ID]).
								OnInput(func(ctx app.Context, e app.Event) { p.resets[u.ID] = ctx.JSSrc().Get("value").String() }),
							app.Button().Class("btn btn-small").Text(p.t("admin.reset")).OnClick(func(ctx app.Context, e app.Event) {
								id, pw := u.ID, p.resets[u.ID]
								p.resets[u.ID] = ""
								setFieldValue("reset-"+u.ID, "")
								p.act(ctx, func(c context.Context, token string) error { return p.shift.API().ResetPassword(c, token, id, pw) }, p.t("admin.reset_done"))
							}),
						),
					),
				)
			})),
		)),
		app.If(p.logins != "", p.loginsCard),
		app.Form().Class("card form").Method("post").Action("/office/users").OnSubmit(p.addUser).Body(
			app.H2().Text(p.t("admin.add")),
			app.Div().Class("row").Body(
				app.Div().Body(app.Label().For("nu-username").Text(p.t("login.username")),
					app.Input().ID("nu-username").Attr("data-testid", "new-username").Required(true).Value(p.add.Username).OnInput(p.ValueTo(&p.add.Username))),
				app.Div().Body(app.Label().For("nu-name").Text(p.t("admin.name")),
					app.Input().ID("nu-name").Attr("data-testid", "new-name").Required(true).Value(p.add.Name).OnInput(p.ValueTo(&p.add.Name))),
			),
			app.Label().For("nu-role").Text(p.t("admin.role")),
			app.Select().ID("nu-role").Attr("data-testid", "new-role").OnChange(func(ctx app.Context, e app.Event) {
				p.add.Role = care.Role(ctx.JSSrc().Get("value").String())
			}).Body(app.Range(roles).Slice(func(i int) app.UI {
				return app.Option().Value(string(roles[i])).Text(p.t("admin.role." + string(roles[i]))).Selected(p.add.Role == roles[i])
			})),
			app.FieldSet().Class("choices").Body(
				app.Legend().Text(p.t("routine.units")),
				app.Range(units).Slice(func(i int) app.UI {
					u := units[i]
					checked := false
					for _, x := range p.add.Units {
						checked = checked || x == u.ID
					}
					return app.Label().Class("choice").Body(
						app.Input().Type("checkbox").Checked(checked).OnChange(func(ctx app.Context, e app.Event) {
							var keep []string
							for _, x := range p.add.Units {
								if x != u.ID {
									keep = append(keep, x)
								}
							}
							if ctx.JSSrc().Get("checked").Bool() {
								keep = append(keep, u.ID)
							}
							p.add.Units = keep
						}),
						app.Span().Text(u.Name),
					)
				}),
			),
			app.Label().For("nu-password").Text(p.t("admin.first_password")),
			app.Input().ID("nu-password").Type("password").Attr("autocomplete", "new-password").Attr("data-testid", "new-password").
				Required(true).Value(p.add.Password).OnInput(p.ValueTo(&p.add.Password)),
			app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "new-save").Disabled(p.loading).Text(p.t("admin.add")),
		),
	)
}

func (p *usersPage) addUser(ctx app.Context, e app.Event) {
	e.PreventDefault()
	req := p.add
	req.Username = strings.TrimSpace(req.Username)
	p.actOnUsername(ctx, func(c context.Context, token string) error { return p.shift.API().AddUser(c, token, req) }, p.t("admin.added", req.Username))
	p.add = wire.NewUserRequest{Role: care.RoleWorker}
	for _, id := range []string{"nu-username", "nu-name", "nu-password"} {
		setFieldValue(id, "")
	}
}

func (p *usersPage) backup(ctx app.Context, e app.Event) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok {
		return
	}
	name := "beredskap-" + time.Now().Format("20060102-1504") + ".backup"
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		err := download(c, "/api/v1/backup", token, name)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.problem = p.t("office.offline")
			}
		})
	})
}
