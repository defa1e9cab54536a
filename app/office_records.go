package app

import (
	"context"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// recordsPage is the coordinators' table: every record that came in, with
// filters, and a bulk "mark entered".
type recordsPage struct {
	officePage
	filter   url.Values
	records  []wire.RecordView
	next     string
	selected map[string]bool
	ehrRef   string
	byAuthor bool
	flash    string
	// total is how many records match the filters (the "of 31 417").
	total int
	// confirming is set while the coordinator is asked to confirm "mark
	// all that match", which would mark confirmCount new records.
	confirming   bool
	confirmCount int
	// job is the bulk job followed (started here, or found running when
	// the page opened); following is its id while its progress is polled.
	job       *wire.ReconcileJob
	following string
}

// recordFilters are the query parameters the table filters on.
var recordFilters = []string{"unit", "patient", "author", "type", "state"}

func (p *recordsPage) OnNav(ctx app.Context) {
	q := ctx.Page().URL().Query()
	filter := url.Values{}
	for _, k := range recordFilters {
		if v := q.Get(k); v != "" {
			filter.Set(k, v)
		}
	}
	changed := filter.Encode() != p.filter.Encode()
	p.filter = filter
	p.byAuthor = q.Get("by_author") == "1" && p.filter.Get("author") != ""
	if changed && p.loadedFor != "" {
		p.flash, p.confirming = "", false
		p.reload(ctx)
	}
}

func (p *recordsPage) OnMount(ctx app.Context) {
	p.start(ctx, func(ctx app.Context) {
		p.loadDirectory(ctx)
		p.reload(ctx)
		p.resumeJob(ctx)
	})
}

// OnDismount stops following a job: its poll ends at its next turn.
func (p *recordsPage) OnDismount() { p.following = "" }

func (p *recordsPage) reload(ctx app.Context) {
	p.records, p.next, p.selected = nil, "", map[string]bool{}
	p.load(ctx, "")
}

func (p *recordsPage) load(ctx app.Context, cursor string) {
	q := url.Values{}
	for k, v := range p.filter {
		q[k] = v
	}
	q.Set("limit", "200")
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var rr wire.RecordsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		rr, err = p.shift.API().Records(c, token, q)
		return err
	}, func(ctx app.Context) {
		if cursor == "" {
			p.records = rr.Records // a first page replaces, however often it was asked for
		} else {
			p.records = append(p.records, rr.Records...)
		}
		p.next, p.total = rr.Next, rr.Total
	})
}

// setFilter navigates to the table with one filter changed, so that the
// filter is in the address (shareable, and the back button works).
func (p *recordsPage) setFilter(ctx app.Context, key, value string) {
	q := url.Values{}
	for k, v := range p.filter {
		q[k] = v
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	ctx.Navigate("/office/records?" + q.Encode())
}

func (p *recordsPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("records", p.t("office.title"), ui)
	}
	active := "records"
	if p.byAuthor {
		active = "authors"
	}
	newOnes := 0
	for _, r := range p.records {
		if r.State == "new" {
			newOnes++
		}
	}
	return p.officeFrame(active, p.t("office.records"),
		p.filters(),
		app.If(p.flash != "", func() app.UI {
			return app.P().Class("banner banner-ok").Attr("role", "status").Attr("data-testid", "office-flash").Text(p.flash)
		}),
		app.Div().Class("card bulk").Body(
			app.Span().Attr("data-testid", "selected-count").Text(p.t("office.selected", len(p.selected))),
			app.Label().For("ehr-ref").Class("visually-hidden").Text(p.t("office.ehr_ref")),
			app.Input().ID("ehr-ref").Attr("placeholder", p.t("office.ehr_ref")).Attr("data-testid", "bulk-ehr-ref").
				Value(p.ehrRef).OnInput(p.ValueTo(&p.ehrRef)),
			app.If(p.filter.Get("author") != "", func() app.UI {
				return app.Label().Class("inline").Body(
					app.Input().Type("checkbox").Checked(p.byAuthor).Attr("data-testid", "by-author").
						OnChange(func(ctx app.Context, e app.Event) { p.byAuthor = ctx.JSSrc().Get("checked").Bool() }),
					app.Span().Text(p.t("office.entered_by_author", p.userName(p.filter.Get("author")))),
				)
			}),
			app.Button().Class("btn btn-primary").Attr("data-testid", "bulk-entered").Disabled(len(p.selected) == 0 || p.loading).
				Text(p.t("office.mark_entered")).OnClick(p.markEntered),
			app.Button().Class("btn").Attr("data-testid", "bulk-all").Disabled(!p.canMarkAll() || strings.TrimSpace(p.ehrRef) == "").
				Title(p.t("office.mark_all_needs_ref")).Text(p.t("office.mark_all")).OnClick(p.askMarkAll),
			app.Span().Class("spacer"),
			&officeExport{shift: p.shift, Query: p.filter.Encode()},
		),
		p.markAllPanel(),
		app.If(len(p.records) > 0, func() app.UI {
			lang := p.shift.Prefs().Lang()
			return app.P().Class("muted").Attr("data-testid", "records-shown").Attr("aria-live", "polite").
				Text(p.t("office.shown_of", i18n.Count(lang, 1), i18n.Count(lang, len(p.records)), i18n.Count(lang, max(p.total, len(p.records)))))
		}),
		app.Div().Class("table-wrap").Body(
			app.Table().Class("table records").Attr("data-testid", "records-table").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Body(app.Input().Type("checkbox").Attr("aria-label", p.t("office.select_all")).Attr("data-testid", "select-all").
						Checked(newOnes > 0 && len(p.selected) == newOnes).OnChange(p.selectAll)),
					app.Th().Text(p.t("office.col.received")),
					app.Th().Text(p.t("office.col.type")),
					app.Th().Text(p.t("office.col.patient")),
					app.Th().Text(p.t("office.col.author")),
					app.Th().Text(p.t("office.col.content")),
					app.Th().Text(p.t("office.col.state")),
				)),
				app.TBody().Body(app.Range(p.records).Slice(func(i int) app.UI {
					r := p.records[i]
					return app.Tr().Attr("data-testid", "record-row").Attr("data-id", r.ID).Attr("data-state", r.State).Body(
						app.Td().Body(app.Input().Type("checkbox").Attr("aria-label", p.t("office.select_record")).
							Disabled(r.State != "new").Checked(p.selected[r.ID]).Attr("data-testid", "select").
							OnChange(func(ctx app.Context, e app.Event) {
								if ctx.JSSrc().Get("checked").Bool() {
									p.selected[r.ID] = true
								} else {
									delete(p.selected, r.ID)
								}
							})),
						app.Td().Class("nowrap").Text(p.stamp(r.Received)),
						app.Td().Text(p.t("record.type."+r.Type)),
						app.Td().Text(r.PatientName),
						app.Td().Text(r.AuthorName),
						app.Td().Body(app.A().Href("/office/records/"+r.ID).Attr("data-testid", "record-link").Text(p.content(r))),
						app.Td().Body(stateChip(p.shift, r)),
					)
				})),
			),
		),
		app.If(len(p.records) == 0 && !p.loading, func() app.UI { return app.P().Class("muted").Text(p.t("office.no_records")) }),
		app.If(p.next != "", func() app.UI {
			return app.Button().Class("btn btn-block").Attr("data-testid", "records-more").Text(p.t("office.more")).Disabled(p.loading).
				OnClick(func(ctx app.Context, e app.Event) { p.load(ctx, p.next) })
		}),
	)
}

// content is the record in one line for the table.
func (p *recordsPage) content(r wire.RecordView) string {
	if r.Record == nil {
		return ""
	}
	return truncate(summary(p.shift, *r.Record), 90)
}

func (p *recordsPage) filters() app.UI {
	option := func(value, label, current string) app.UI {
		return app.Option().Value(value).Text(label).Selected(value == current)
	}
	sel := func(key, label string, opts []app.UI) app.UI {
		return app.Div().Class("filter").Body(
			app.Label().For("filter-"+key).Text(label),
			app.Select().ID("filter-"+key).Attr("data-testid", "filter-"+key).
				OnChange(func(ctx app.Context, e app.Event) { p.setFilter(ctx, key, ctx.JSSrc().Get("value").String()) }).
				Body(opts...),
		)
	}
	f := p.filter
	states := []app.UI{option("", p.t("office.all"), f.Get("state"))}
	for _, st := range []string{"new", "entered", "void", "quarantined"} {
		states = append(states, option(st, p.t("office.state."+st), f.Get("state")))
	}
	types := []app.UI{option("", p.t("office.all"), f.Get("type"))}
	for _, rt := range care.RecordTypes() {
		types = append(types, option(string(rt), p.t("record.type."+string(rt)), f.Get("type")))
	}
	units := []app.UI{option("", p.t("office.all"), f.Get("unit"))}
	authors := []app.UI{option("", p.t("office.all"), f.Get("author"))}
	patients := []app.UI{option("", p.t("office.all"), f.Get("patient"))}
	if p.dir != nil {
		for _, u := range p.dir.Units {
			units = append(units, option(u.ID, u.Name, f.Get("unit")))
		}
		for _, u := range p.dir.Users {
			if u.Role.WorksShifts() {
				authors = append(authors, option(u.ID, u.Name, f.Get("author")))
			}
		}
		for _, pt := range p.dir.Patients {
			patients = append(patients, option(pt.ID, pt.Name, f.Get("patient")))
		}
	}
	return app.Div().Class("card filters").Body(
		sel("state", p.t("office.col.state"), states),
		sel("type", p.t("office.col.type"), types),
		sel("unit", p.t("office.unit"), units),
		sel("author", p.t("office.col.author"), authors),
		sel("patient", p.t("office.col.patient"), patients),
	)
}

func (p *recordsPage) selectAll(ctx app.Context, e app.Event) {
	on := ctx.JSSrc().Get("checked").Bool()
	p.selected = map[string]bool{}
	if on {
		for _, r := range p.records {
			if r.State == "new" {
				p.selected[r.ID] = true
			}
		}
	}
}

func (p *recordsPage) markEntered(ctx app.Context, e app.Event) {
	var ids []string
	for _, r := range p.records {
		if p.selected[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	req := wire.ReconcileRequest{IDs: ids, Action: "entered", EHRRef: strings.TrimSpace(p.ehrRef)}
	if p.byAuthor {
		req.EnteredBy = p.filter.Get("author")
	}
	var rr wire.RecordsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		rr, err = p.shift.API().Reconcile(c, token, req)
		return err
	}, func(ctx app.Context) {
		updated := map[string]wire.RecordView{}
		for _, r := range rr.Records {
			updated[r.ID] = r
		}
		for i, r := range p.records {
			if u, ok := updated[r.ID]; ok {
				p.records[i] = u
			}
		}
		p.selected, p.ehrRef = map[string]bool{}, ""
		p.flash = p.t("office.marked", len(rr.Records))
	})
}

// stateChip shows a record's reconciliation state.
func stateChip(s *shift.Shift, r wire.RecordView) app.UI {
	st := r.State
	if r.Quarantined && st == "new" {
		st = "quarantined"
	}
	return app.Span().Class("chip chip-state-"+st).Attr("data-testid", "record-state").Text(s.T("office.state." + st))
}
