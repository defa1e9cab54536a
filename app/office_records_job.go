package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// "Mark all that match as entered" on the records page: the server runs
// it as a bulk job, in chunks; the page asks for confirmation with the
// number it will mark, then shows the job's progress until it ends (and
// again when the page is opened while one runs).

// jobPoll is how often a running job's progress is read.
const jobPoll = time.Second

// canMarkAll says whether the filters select records a job may mark (new
// ones) and nothing is under way.
func (p *recordsPage) canMarkAll() bool {
	st := p.filter.Get("state")
	running := p.job != nil && p.job.Status == wire.JobRunning
	return (st == "" || st == "new") && !p.loading && !running && !p.confirming
}

// jobFilters are the table's filters as a job takes them.
func (p *recordsPage) jobFilters() wire.RecordFilters {
	return wire.RecordFilters{Unit: p.filter.Get("unit"), Patient: p.filter.Get("patient"), Author: p.filter.Get("author"),
		Type: p.filter.Get("type"), State: p.filter.Get("state")}
}

// askMarkAll counts the new records the filters select and asks the
// coordinator to confirm marking them.
func (p *recordsPage) askMarkAll(ctx app.Context, e app.Event) {
	q := url.Values{}
	for k, v := range p.filter {
		q[k] = v
	}
	q.Set("state", "new")
	q.Set("limit", "1")
	var rr wire.RecordsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		rr, err = p.shift.API().Records(c, token, q)
		return err
	}, func(ctx app.Context) {
		p.flash, p.confirming, p.confirmCount = "", true, rr.Total
	})
}

// markAll starts the job and follows it.
func (p *recordsPage) markAll(ctx app.Context, e app.Event) {
	req := wire.ReconcileJobRequest{Filter: p.jobFilters(), EHRRef: strings.TrimSpace(p.ehrRef)}
	if p.byAuthor {
		req.EnteredBy = p.filter.Get("author")
	}
	var j wire.ReconcileJob
	p.call(ctx, func(c context.Context, token string) (err error) {
		j, err = p.shift.API().StartReconcileJob(c, token, req)
		return err
	}, func(ctx app.Context) {
		p.job, p.confirming = &j, false
		p.follow(ctx, j.ID)
	})
}

// resumeJob finds a job still running (started before the page was
// opened, here or by a colleague of the same units) and follows it.
func (p *recordsPage) resumeJob(ctx app.Context) {
	var jr wire.ReconcileJobsResponse
	p.call(ctx, func(c context.Context, token string) (err error) {
		jr, err = p.shift.API().RunningReconcileJobs(c, token)
		return err
	}, func(ctx app.Context) {
		if len(jr.Jobs) > 0 && p.following == "" {
			j := jr.Jobs[0]
			p.job = &j
			p.follow(ctx, j.ID)
		}
	})
}

// follow reads the job's progress every jobPoll until it ends (then the
// table is loaded again, to show what it marked), the page is left, or
// another job is followed. A failed read is shown and tried again: the
// job goes on on the server whatever the page does.
func (p *recordsPage) follow(ctx app.Context, id string) {
	token, _, ok := p.shift.Keyring().OfficeSession()
	if !ok {
		return
	}
	if p.hasCtx {
		ctx = p.ctx
	}
	p.following = id
	ctx.Async(func() {
		for {
			time.Sleep(jobPoll)
			c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			j, err := p.shift.API().ReconcileJob(c, token, id)
			cancel()
			goOn := make(chan bool, 1)
			ctx.Dispatch(func(ctx app.Context) {
				if p.following != id {
					goOn <- false
					return
				}
				if err != nil {
					p.problem = p.explain(err)
					code := shift.ErrorCode(err)
					if code == wire.CodeUnauthorized {
						p.shift.Keyring().EndOffice()
					}
					// The server answered (the job is gone, the session
					// ended): nothing more to follow. Unreachable: try again.
					if code != "" {
						p.following = ""
					}
					goOn <- code == ""
					return
				}
				p.problem = ""
				p.job = &j
				if j.Status != wire.JobRunning {
					p.following = ""
					p.reload(ctx)
					goOn <- false
					return
				}
				goOn <- true
			})
			if !<-goOn {
				return
			}
		}
	})
}

// markAllPanel is the confirmation, and the followed job's progress or end.
func (p *recordsPage) markAllPanel() app.UI {
	lang := p.shift.Prefs().Lang()
	n := func(v int) string { return i18n.Count(lang, v) }
	var parts []app.UI
	if p.confirming {
		parts = append(parts, app.Div().Class("card banner-important").Attr("role", "alertdialog").Attr("aria-label", p.t("office.mark_all")).Attr("data-testid", "bulk-all-confirm").Body(
			app.P().Text(p.t("office.mark_all_confirm", n(p.confirmCount), strings.TrimSpace(p.ehrRef))),
			app.Button().Class("btn btn-primary").Attr("data-testid", "bulk-all-yes").Disabled(p.loading || p.confirmCount == 0).
				Text(p.t("office.mark_all_yes")).OnClick(p.markAll),
			app.Button().Class("btn").Attr("data-testid", "bulk-all-no").Text(p.t("office.mark_all_no")).
				OnClick(func(ctx app.Context, e app.Event) { p.confirming = false }),
		))
	}
	if j := p.job; j != nil {
		processed := j.Done + j.Skipped + j.Held
		total := max(j.Total, processed)
		var body []app.UI
		switch j.Status {
		case wire.JobRunning:
			body = append(body,
				app.Label().For("bulk-job-progress").Class("visually-hidden").Text(p.t("office.job.label")),
				app.Progress().ID("bulk-job-progress").Attr("max", max(total, 1)).Attr("value", processed).Attr("data-testid", "bulk-job-progress"),
				app.P().Text(p.t("office.job.running", n(processed), n(total))))
		case wire.JobFailed:
			why := p.t(j.FailureKey)
			if j.FailureKey == "" || why == j.FailureKey {
				why = p.t("error.code.internal")
			}
			body = append(body, app.P().Text(p.t("office.job.failed", n(j.Done), why)))
		default:
			body = append(body, app.P().Text(p.t("office.job.done", n(j.Done))))
		}
		if j.Skipped > 0 {
			body = append(body, app.P().Class("muted").Text(p.t("office.job.skipped", n(j.Skipped))))
		}
		if j.Held > 0 {
			body = append(body, app.P().Class("muted").Text(p.t("office.job.held", n(j.Held))))
		}
		class := "card banner-ok"
		if j.Status == wire.JobFailed {
			class = "card banner-important"
		}
		parts = append(parts, app.Div().Class(class).Attr("role", "status").Attr("aria-live", "polite").
			Attr("data-testid", "bulk-job").Attr("data-status", j.Status).Body(body...))
	}
	return app.Div().Body(parts...)
}
