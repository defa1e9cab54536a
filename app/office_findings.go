package app

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// findingsPageSize is how many findings one request asks for: the server's
// default page, which the count line ("1–200 of 1 234") refers to.
const findingsPageSize = 200

// findingsPage lists what coordinators must look at, a page at a time:
// each finding in the coordinator's language, with its patient and
// records, and a comment to mark it handled. The filters are in the
// address (kind, unit, patient, status), so that the dashboard links to a
// kind and the back button works.
type findingsPage struct {
	officePage
	filter   url.Values
	since    time.Time
	findings []wire.Finding
	total    int
	next     string
	comments map[string]string
	names    findingNames
}

// The status filter's values in the address; without one the page shows
// the open findings, which is what a coordinator works through.
const (
	statusOpen     = "open"
	statusResolved = "resolved"
	statusAll      = "all"
)

func (p *findingsPage) OnNav(ctx app.Context) {
	q := ctx.Page().URL().Query()
	filter := url.Values{}
	for _, k := range []string{"kind", "unit", "patient", "status"} {
		if v := q.Get(k); v != "" {
			filter.Set(k, v)
		}
	}
	changed := filter.Encode() != p.filter.Encode()
	p.filter = filter
	if changed && p.loadedFor != "" {
		p.reload(ctx)
	}
}

func (p *findingsPage) OnMount(ctx app.Context) {
	p.since = time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
	p.comments = map[string]string{}
	p.start(ctx, func(ctx app.Context) {
		p.loadNames(ctx)
		p.reload(ctx)
	})
}

// loadNames loads the directory, as loadDirectory does, and keeps its
// names by id for the findings' texts.
func (p *findingsPage) loadNames(ctx app.Context) {
	var d wire.Directory
	p.call(ctx, func(c context.Context, token string) (err error) {
		d, err = p.shift.API().Directory(c, token)
		return err
	}, func(ctx app.Context) { p.dir, p.names = &d, namesOf(&d) })
}

func (p *findingsPage) status() string {
	switch s := p.filter.Get("status"); s {
	case statusResolved, statusAll:
		return s
	}
	return statusOpen
}

// reload asks for the first page again: after a filter changed, or the
// window.
func (p *findingsPage) reload(ctx app.Context) { p.load(ctx, "") }

// load asks for a page of findings: the first (cursor "") replaces what is
// shown, a following one is added below it.
func (p *findingsPage) load(ctx app.Context, cursor string) {
	q := windowQuery(p.since)
	for _, k := range []string{"kind", "unit", "patient"} {
		if v := p.filter.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if s := p.status(); s != statusAll {
		q.Set("status", s)
	}
	q.Set("limit", strconv.Itoa(findingsPageSize))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var fr wire.FindingsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		fr, err = p.shift.API().Findings(c, token, q)
		return err
	}, func(ctx app.Context) { p.take(fr, cursor == "") })
}

// take shows an answer: a first page replaces what is shown, however
// often it was asked for; a following one is added below. Next is empty
// at the end, and always from a server that answers in one page, whose
// answer has no total either: then the total is what is shown.
func (p *findingsPage) take(fr wire.FindingsResponse, first bool) {
	if first {
		p.findings = nil
	}
	p.findings = appendFindings(p.findings, fr.Findings, p.matches)
	p.next = fr.Next
	p.total = max(fr.Total, len(p.findings))
}

// shownLine says which findings of how many are shown: "1–200 av 1 234".
func shownLine(lang string, shown, total int) string {
	return i18n.T(lang, "findings.shown", i18n.Number(lang, 1), i18n.Number(lang, shown), i18n.Number(lang, total))
}

// appendFindings adds a page to what is shown, without a finding twice
// (pages asked for while findings changed may overlap) and without those
// the filters leave out: a server from before findings were filtered
// answers every finding of the window, in one page and without a total.
func appendFindings(shown, page []wire.Finding, keep func(wire.Finding) bool) []wire.Finding {
	seen := make(map[string]bool, len(shown))
	for _, f := range shown {
		seen[f.ID] = true
	}
	for _, f := range page {
		if !seen[f.ID] && keep(f) {
			seen[f.ID] = true
			shown = append(shown, f)
		}
	}
	return shown
}

// matches reports whether a finding fits the filters.
func (p *findingsPage) matches(f wire.Finding) bool {
	if k := p.filter.Get("kind"); k != "" && f.Kind != k {
		return false
	}
	if u := p.filter.Get("unit"); u != "" && f.UnitID != "" && f.UnitID != u {
		return false
	}
	if pt := p.filter.Get("patient"); pt != "" && f.PatientID != pt {
		return false
	}
	switch p.status() {
	case statusOpen:
		return f.Resolved == nil
	case statusResolved:
		return f.Resolved != nil
	}
	return true
}

// setFilter navigates to the page with one filter changed.
func (p *findingsPage) setFilter(ctx app.Context, key, value string) {
	q := url.Values{}
	for k, v := range p.filter {
		q[k] = v
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if key == "unit" {
		q.Del("patient") // a patient of another unit would show nothing
	}
	ctx.Navigate("/office/findings?" + q.Encode())
}

func (p *findingsPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("findings", p.t("office.title"), ui)
	}
	lang := p.shift.Prefs().Lang()
	return p.officeFrame("findings", p.t("office.findings"),
		p.filters(),
		app.If(len(p.findings) > 0, func() app.UI {
			return app.P().Class("muted").Attr("data-testid", "findings-count").Attr("aria-live", "polite").
				Text(shownLine(lang, len(p.findings), p.total))
		}),
		app.If(len(p.findings) == 0 && !p.loading, func() app.UI { return app.P().Class("card").Text(p.t("office.no_findings")) }),
		app.Range(p.findings).Slice(func(i int) app.UI { return p.card(p.findings[i]) }),
		app.If(p.next != "", func() app.UI {
			return app.Button().Class("btn btn-block").Attr("data-testid", "findings-more").Text(p.t("office.more")).Disabled(p.loading).
				OnClick(func(ctx app.Context, e app.Event) { p.load(ctx, p.next) })
		}),
	)
}

func (p *findingsPage) filters() app.UI {
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
	kind := p.filter.Get("kind")
	kinds := []app.UI{option("", p.t("office.all"), kind)}
	for _, k := range wire.FindingKinds() {
		kinds = append(kinds, option(k, p.t("finding."+k), kind))
	}
	status := p.filter.Get("status")
	statuses := []app.UI{
		option("", p.t("findings.status.open"), status),
		option(statusResolved, p.t("findings.status.resolved"), status),
		option(statusAll, p.t("findings.status.all"), status),
	}
	out := []app.UI{
		app.Div().Class("filter filter-wide").Body(
			app.Label().For("since").Text(p.t("office.since")),
			app.Input().ID("since").Type("datetime-local").Value(sinceValue(p.since)).
				OnChange(func(ctx app.Context, e app.Event) {
					if t, ok := parseSince(ctx.JSSrc().Get("value").String()); ok {
						p.since = t
						p.reload(ctx)
					}
				}),
		),
		sel("kind", p.t("office.kind"), kinds),
		sel("status", p.t("findings.status"), statuses),
	}
	if p.dir != nil && len(p.dir.Units) > 1 {
		unit := p.filter.Get("unit")
		units := []app.UI{option("", p.t("office.all"), unit)}
		for _, u := range p.dir.Units {
			units = append(units, option(u.ID, u.Name, unit))
		}
		out = append(out, sel("unit", p.t("office.unit"), units))
	}
	if p.dir != nil && len(p.dir.Patients) > 0 {
		unit, patient := p.filter.Get("unit"), p.filter.Get("patient")
		pts := slices.Clone(p.dir.Patients)
		slices.SortFunc(pts, func(a, b wire.Person) int { return strings.Compare(a.Name, b.Name) })
		opts := []app.UI{option("", p.t("office.all"), patient)}
		for _, pt := range pts {
			if unit == "" || pt.Unit == "" || pt.Unit == unit {
				opts = append(opts, option(pt.ID, pt.Name, patient))
			}
		}
		out = append(out, sel("patient", p.t("office.col.patient"), opts))
	}
	return app.Div().Class("card filters").Body(out...)
}

func (p *findingsPage) card(f wire.Finding) app.UI {
	id := f.ID
	lang := p.shift.Prefs().Lang()
	text, keyed := findingText(lang, f, p.names, localTime)
	return app.Section().Class("card finding").Attr("data-testid", "finding").Attr("data-kind", f.Kind).Attr("data-id", f.ID).Body(
		app.Div().Class("record-head").Body(
			app.Strong().Text(p.t("finding."+f.Kind)),
			app.Span().Class("muted").Text(p.stamp(f.At)),
		),
		app.P().Attr("data-testid", "finding-text").Text(text),
		app.If(f.PatientID != "", func() app.UI {
			return app.P().Body(app.Strong().Text(p.t("office.col.patient")+": "), app.Text(p.names.patient(lang, f.PatientID)))
		}),
		app.If(!keyed && len(f.MissingSeqs) > 0, func() app.UI {
			return app.P().Text(p.t("finding.missing_seqs", joinUints(f.MissingSeqs)))
		}),
		app.Details().Class("small muted").Body(
			app.Summary().Text(p.t("findings.about")),
			app.P().Text(p.t("finding.explain."+f.Kind)),
		),
		app.If(len(f.RecordIDs) > 0, func() app.UI {
			return app.Ul().Class("links").Body(app.Range(f.RecordIDs).Slice(func(j int) app.UI {
				return app.Li().Body(app.A().Href("/office/records/" + f.RecordIDs[j]).Text(p.t("office.open_record", j+1)))
			}))
		}),
		app.If(f.Resolved != nil, func() app.UI {
			r := f.Resolved
			return app.P().Class("banner banner-ok").Attr("data-testid", "finding-resolved").
				Text(p.t("office.resolved_by", p.names.user(lang, r.By), p.stamp(r.At)) + ": " + r.Comment)
		}),
		app.If(f.Resolved == nil, func() app.UI {
			return app.Div().Class("form resolve").Body(
				app.Label().For("c-"+id).Text(p.t("office.resolve_comment")),
				app.Input().ID("c-"+id).Attr("data-testid", "resolve-comment").Value(p.comments[id]).
					OnInput(func(ctx app.Context, e app.Event) { p.comments[id] = ctx.JSSrc().Get("value").String() }),
				app.Button().Class("btn").Attr("data-testid", "resolve").Text(p.t("office.resolve")).Disabled(p.loading).
					OnClick(func(ctx app.Context, e app.Event) { p.resolve(ctx, id) }),
			)
		}),
	)
}

// resolve marks a finding handled and shows it so where it is: reloading
// the first page would lose the coordinator's place in a long list.
func (p *findingsPage) resolve(ctx app.Context, id string) {
	comment := strings.TrimSpace(p.comments[id])
	if comment == "" {
		p.problem = p.t("office.resolve_needs_comment")
		return
	}
	_, user, _ := p.shift.Keyring().OfficeSession()
	p.call(ctx, func(c context.Context, token string) error {
		return p.shift.API().ResolveFinding(c, token, id, comment)
	}, func(ctx app.Context) {
		delete(p.comments, id)
		i := slices.IndexFunc(p.findings, func(f wire.Finding) bool { return f.ID == id })
		if i < 0 {
			return
		}
		p.findings[i].Resolved = &wire.Resolution{By: user.ID, Comment: comment, At: time.Now()}
		if p.status() == statusOpen {
			// Resolved, it no longer matches: it goes, as it would on a
			// reload.
			p.findings = slices.Delete(p.findings, i, i+1)
			p.total = max(p.total-1, len(p.findings))
		}
	})
}

// findingNames are the names the office shows for the ids a finding
// carries, from the directory.
type findingNames struct {
	users, patients map[string]string
}

func namesOf(d *wire.Directory) findingNames {
	n := findingNames{users: map[string]string{}, patients: map[string]string{}}
	if d == nil {
		return n
	}
	for _, u := range d.Users {
		n.users[u.ID] = u.Name
	}
	for _, pt := range d.Patients {
		n.patients[pt.ID] = pt.Name
	}
	return n
}

func (n findingNames) user(lang, id string) string    { return nameOr(lang, n.users, id) }
func (n findingNames) patient(lang, id string) string { return nameOr(lang, n.patients, id) }

// nameOr is the name for id, or the start of the id for someone the
// directory does not name (a user of another unit, one since removed).
func nameOr(lang string, names map[string]string, id string) string {
	if name := names[id]; name != "" {
		return name
	}
	if id == "" {
		return i18n.T(lang, "findings.nobody")
	}
	return shortID(id)
}

// shortID is enough of an id to tell it from others on the page.
func shortID(id string) string {
	if r := []rune(id); len(r) > 8 {
		return string(r[:8]) + "…"
	}
	return id
}

// localStamp is an instant as date and clock time in lang, in the zone
// local gives.
func localStamp(lang string, t time.Time, local func(time.Time) time.Time) string {
	t = local(t)
	return i18n.Date(lang, t) + " " + i18n.Time(lang, t)
}

// findingText is a finding in lang, from its key and named values: names
// for the people and the patient it names, times in the zone local gives,
// record types in words, counts and durations as lang writes them, and
// medication, doses and record numbers as the server sent them. keyed is
// false when the catalogue does not know the key or its values do not fit
// it (a server of another version): text is then the server's English
// message, which is all the page has.
func findingText(lang string, f wire.Finding, names findingNames, local func(time.Time) time.Time) (text string, keyed bool) {
	show := func(name, v string) string {
		switch name {
		case "author", "worker":
			return names.user(lang, v)
		case "patient":
			return names.patient(lang, v)
		case "device":
			return shortID(v)
		case "type":
			if key := "record.type." + v; i18n.Has(lang, key) {
				return i18n.T(lang, key)
			}
		case "minutes":
			if m, err := strconv.Atoi(v); err == nil {
				return i18n.Duration(lang, time.Duration(m)*time.Minute)
			}
		case "count", "total", "more_gaps":
			if n, err := strconv.Atoi(v); err == nil {
				return i18n.Number(lang, n)
			}
		}
		if strings.HasSuffix(name, "_at") {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return localStamp(lang, t, local)
			}
		}
		return v
	}
	if text, ok := i18n.Finding(lang, f.Key, f.Args, show); ok {
		return text, true
	}
	return f.Message, false
}

func joinUints(v []uint64) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ", ")
}
