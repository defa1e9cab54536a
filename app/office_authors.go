package app

import (
	"context"
	"net/url"
	"sort"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// authorsPage groups the records not yet entered by author, so that each
// author can enter their own notes first (the rule in the seeds: the
// author enters it; someone else only when that is not possible).
type authorsPage struct {
	officePage
	counts map[string]int
	done   map[string]int
}

func (p *authorsPage) OnMount(ctx app.Context) { p.start(ctx, p.load) }

func (p *authorsPage) load(ctx app.Context) {
	p.loadDirectory(ctx)
	counts, done := map[string]int{}, map[string]int{}
	p.call(ctx, func(c context.Context, token string) error {
		for _, st := range []string{"new", "entered"} {
			cursor := ""
			for {
				q := url.Values{"state": {st}, "limit": {"1000"}}
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				rr, err := p.shift.API().Records(c, token, q)
				if err != nil {
					return err
				}
				for _, r := range rr.Records {
					if st == "new" {
						counts[r.AuthorID]++
					} else if r.EnteredBy == r.AuthorID {
						done[r.AuthorID]++
					}
				}
				if rr.Next == "" {
					break
				}
				cursor = rr.Next
			}
		}
		return nil
	}, func(ctx app.Context) { p.counts, p.done = counts, done })
}

func (p *authorsPage) Render() app.UI {
	if ui, ok := p.officeGate(); !ok {
		return p.officeFrame("authors", p.t("office.title"), ui)
	}
	var authors []string
	for a := range p.counts {
		authors = append(authors, a)
	}
	sort.Slice(authors, func(i, j int) bool { return p.counts[authors[i]] > p.counts[authors[j]] })
	return p.officeFrame("authors", p.t("office.authors"),
		app.P().Class("card").Text(p.t("office.authors_hint")),
		app.If(len(authors) == 0 && !p.loading, func() app.UI { return app.P().Class("card").Text(p.t("office.no_records")) }),
		app.Table().Class("table").Attr("data-testid", "authors-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(p.t("office.col.author")),
				app.Th().Text(p.t("office.to_enter")),
				app.Th().Text(p.t("office.entered_self")),
			)),
			app.TBody().Body(app.Range(authors).Slice(func(i int) app.UI {
				a := authors[i]
				return app.Tr().Attr("data-testid", "author-row").Body(
					app.Td().Body(app.A().Href("/office/records?"+url.Values{"author": {a}, "state": {"new"}, "by_author": {"1"}}.Encode()).Text(p.userName(a))),
					app.Td().Class("num").Text(p.counts[a]),
					app.Td().Class("num").Text(p.done[a]),
				)
			})),
		),
	)
}
