package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/wire"
)

// exposurePage is the lost-phone exposure report (issue 19, item 3): what
// a revoked or lost phone may still hold, access information first, and
// the checklist of what the desk does about it, each item ticked with
// who and when. It prints as a sheet (app.css, @media print).
type exposurePage struct {
	officePage
	id  string
	rep *wire.ExposureReport
}

// deviceAudit reports whether an audit action's subject is a device (the
// store's AuditDevice, AuditDeviceRevoke, AuditDeviceLost and
// AuditExposureTick; the app does not import the store): the audit log
// links those to the device's exposure report, the coordinators' way to
// a phone's report and its "report lost".
func deviceAudit(action string) bool {
	switch action {
	case "device.register", "device.revoke", "device.lost", "exposure.tick":
		return true
	}
	return false
}

// exposurePath is the page of a device's report.
func exposurePath(deviceID string) string { return "/office/devices/" + deviceID + "/exposure" }

// deviceFromPath is the device id of the page's path.
func deviceFromPath(ctx app.Context) string {
	return strings.TrimSuffix(strings.TrimPrefix(ctx.Page().URL().Path, "/office/devices/"), "/exposure")
}

func (p *exposurePage) OnNav(ctx app.Context) {
	id := deviceFromPath(ctx)
	if id == p.id {
		return
	}
	p.id, p.rep = id, nil
	if p.loadedFor != "" {
		p.load(ctx)
	}
}

func (p *exposurePage) OnMount(ctx app.Context) {
	// The id is known before the first load: OnNav comes after OnMount,
	// and a load without it would fail after the right one succeeded.
	p.id = deviceFromPath(ctx)
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.load(ctx)
	})
}

func (p *exposurePage) load(ctx app.Context) {
	var rep wire.ExposureReport
	id := p.id
	if id == "" {
		return
	}
	p.call(ctx, func(c context.Context, token string) (err error) {
		rep, err = p.shift.API().DeviceExposure(c, token, id)
		return err
	}, func(ctx app.Context) {
		if id == p.id { // not an answer for a page left meanwhile
			p.rep = &rep
		}
	})
}

func (p *exposurePage) tick(ctx app.Context, item string, on bool) {
	var rep wire.ExposureReport
	id := p.id
	p.call(ctx, func(c context.Context, token string) (err error) {
		rep, err = p.shift.API().TickExposure(c, token, id, item, on)
		return err
	}, func(ctx app.Context) { p.rep = &rep })
}

func (p *exposurePage) markLost(ctx app.Context, e app.Event) {
	if !app.Window().Call("confirm", p.t("exposure.lost_confirm")).Bool() {
		return
	}
	id := p.id
	p.call(ctx, func(c context.Context, token string) error { return p.shift.API().MarkDeviceLost(c, token, id) },
		func(ctx app.Context) { p.load(ctx) })
}

func (p *exposurePage) patientName(id string) string {
	if p.rep != nil {
		for _, x := range p.rep.Patients {
			if x.ID == id && x.Name != "" {
				return x.Name
			}
		}
	}
	return id
}

func (p *exposurePage) unitName(id string) string {
	if p.dir != nil {
		for _, u := range p.dir.Units {
			if u.ID == id {
				return u.Name
			}
		}
	}
	return id
}

// itemText is what a checklist item asks the desk to do.
func (p *exposurePage) itemText(it wire.ExposureItem) string {
	switch it.Kind {
	case wire.ExposureAccess:
		return p.t("exposure.item.access", p.patientName(it.PatientID))
	case wire.ExposureInform:
		return p.t("exposure.item.inform", p.patientName(it.PatientID))
	case wire.ExposureBreach:
		return p.t("exposure.item.breach")
	}
	return it.ID
}

func (p *exposurePage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("users", p.t("exposure.title"), ui)
	}
	if p.rep == nil {
		return p.officeFrame("users", p.t("exposure.title"), app.P().Class("muted center").Text(p.t("app.loading")))
	}
	rep := p.rep
	name := rep.WorkerName
	if name == "" {
		name = p.userName(rep.Device.UserID)
	}
	return p.officeFrame("users", p.t("exposure.title"),
		app.Section().Class("card exposure-sheet").Attr("data-testid", "exposure").Body(
			app.H2().ID("exposure-title").Text(p.t("exposure.title")),
			app.P().Attr("data-testid", "exposure-device").Body(
				app.Strong().Text(name+" · "+truncate(rep.Device.Label, 40)),
				app.Br(),
				app.Span().Class("small").Text(p.t("exposure.registered", p.stamp(rep.Device.Created))+" · "+p.t("admin.last_seen", p.stamp(rep.Device.LastSeen))),
				app.Br(),
				app.If(rep.Device.Revoked != nil, func() app.UI {
					return app.Span().Class("tag tag-p1").Attr("data-testid", "exposure-revoked").Text(p.t("exposure.revoked_at", p.stamp(*rep.Device.Revoked)))
				}),
				app.If(rep.Device.Revoked == nil, func() app.UI {
					return app.Span().Class("tag tag-p2").Text(p.t("exposure.not_revoked"))
				}),
			),
			app.If(rep.Device.Revoked == nil, func() app.UI {
				return app.Button().Class("btn btn-primary no-print").Attr("data-testid", "exposure-mark-lost").Disabled(p.loading).
					Text(p.t("exposure.mark_lost")).OnClick(p.markLost)
			}),
			app.P().Class("muted").Text(p.t("exposure.scope")),
			app.P().Class("small").Text(p.t("exposure.generated", p.stamp(rep.Generated))),
			app.Button().Class("btn no-print").Attr("data-testid", "exposure-print").Text(p.t("exposure.print")).
				OnClick(func(ctx app.Context, e app.Event) { app.Window().Call("print") }),

			app.H3().Text(p.t("exposure.checklist")),
			app.Ul().Class("exposure-checklist").Body(app.Range(rep.Checklist).Slice(func(i int) app.UI {
				it := rep.Checklist[i]
				box := "exposure-item-" + strconv.Itoa(i)
				return app.Li().Attr("data-testid", "exposure-item").Attr("data-item", it.ID).Attr("data-ticked", strconv.FormatBool(it.Ticked)).Body(
					app.Input().Type("checkbox").ID(box).Checked(it.Ticked).Disabled(p.loading).
						OnChange(func(ctx app.Context, e app.Event) { p.tick(ctx, it.ID, !it.Ticked) }),
					app.Label().For(box).Text(p.itemText(it)),
					app.If(it.At != nil, func() app.UI {
						who := it.ByName
						if who == "" {
							who = p.userName(it.By)
						}
						key := "exposure.unticked_by"
						if it.Ticked {
							key = "exposure.ticked_by"
						}
						return app.Span().Class("small muted exposure-who").Text(p.t(key, who, p.stamp(*it.At)))
					}),
				)
			})),

			app.H3().Text(p.t("exposure.patients", len(rep.Patients))),
			app.If(len(rep.Patients) == 0, func() app.UI { return app.P().Class("muted").Text(p.t("exposure.no_patients")) }),
			app.If(len(rep.Patients) > 0, func() app.UI {
				return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "exposure-patients").Body(
					app.THead().Body(app.Tr().Body(
						app.Th().Text(p.t("exposure.patient")), app.Th().Text(p.t("exposure.unit")), app.Th().Text(p.t("exposure.list")),
						app.Th().Text(p.t("exposure.access")), app.Th().Text(p.t("exposure.first_issued")), app.Th().Text(p.t("exposure.last_issued")),
					)),
					app.TBody().Body(app.Range(rep.Patients).Slice(func(i int) app.UI {
						x := rep.Patients[i]
						list := p.t("exposure.list_unit")
						if x.Own {
							list = p.t("exposure.list_own")
						}
						return app.Tr().Attr("data-testid", "exposure-patient").Attr("data-access", strconv.FormatBool(x.Access)).Body(
							app.Td().Text(p.patientName(x.ID)),
							app.Td().Text(p.unitName(x.UnitID)),
							app.Td().Text(list),
							app.Td().Body(app.If(x.Access, func() app.UI { return app.Span().Class("tag tag-p1").Text(p.t("exposure.access_yes")) })),
							app.Td().Text(p.stamp(x.FirstIssued)),
							app.Td().Text(p.stamp(x.LastIssued)),
						)
					})),
				))
			}),

			app.H3().Text(p.t("exposure.bundles", len(rep.Bundles))),
			app.If(len(rep.Bundles) > 0, func() app.UI {
				return app.Div().Class("table-wrap").Body(app.Table().Class("table").Attr("data-testid", "exposure-bundles").Body(
					app.THead().Body(app.Tr().Body(
						app.Th().Text(p.t("exposure.issued")), app.Th().Text(p.t("exposure.expires")), app.Th().Text(p.t("exposure.bundle_patients")),
					)),
					app.TBody().Body(app.Range(rep.Bundles).Slice(func(i int) app.UI {
						b := rep.Bundles[i]
						return app.Tr().Attr("data-testid", "exposure-bundle").Body(
							app.Td().Text(p.stamp(b.IssuedAt)),
							app.Td().Body(app.Text(p.stamp(b.ExpiresAt)), app.If(b.Expired, func() app.UI {
								return app.Span().Class("tag").Text(p.t("exposure.expired"))
							})),
							app.Td().Text(strconv.Itoa(b.Patients)),
						)
					})),
				))
			}),
		),
	)
}
