package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
)

// noteForm writes a journal note about the visit's patient.
type noteForm struct {
	app.Compo
	shift *shift.Shift
	// Visit is exported so that go-app hands a mounted form the new visit
	// when the page moves to another one.
	Visit care.Visit

	forVisit string
	text     string
	busy     bool
	saved    bool
	problem  string
}

func (f *noteForm) Render() app.UI {
	s := f.shift
	if f.forVisit != f.Visit.ID {
		f.forVisit, f.text, f.saved, f.problem = f.Visit.ID, "", false, ""
	}
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Body(
		app.H2().Text(s.T("note.title")),
		app.Label().For("note-text").Class("visually-hidden").Text(s.T("note.title")),
		app.Textarea().ID("note-text").Attr("data-testid", "note-text").Attr("rows", 4).
			Attr("placeholder", s.T("note.placeholder")).Text(f.text).
			OnInput(func(ctx app.Context, e app.Event) {
				f.text = ctx.JSSrc().Get("value").String()
				f.saved = false
			}),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(f.problem)
		}),
		app.If(f.saved, func() app.UI {
			return app.P().Class("ok").Attr("role", "status").Attr("data-testid", "note-saved").Text(s.T("form.saved"))
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "note-save").
			Disabled(f.busy).Text(busyLabel(s, f.busy, "note.save", "form.saving")),
	)
}

func (f *noteForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	text := strings.TrimSpace(f.text)
	if text == "" {
		f.problem = f.shift.T("note.empty")
		return
	}
	f.busy, f.problem, f.saved = true, "", false
	typed := f.text
	r := care.Record{Type: care.RecordNote, PatientID: f.Visit.PatientID, VisitID: f.Visit.ID, Text: text}
	saveRecord(ctx, f.shift, r, &f.busy, &f.problem, func(ctx app.Context) {
		f.text, f.saved = unsavedRest(f.text, typed), true
		// The field is emptied in the page itself: go-app v10.1.11
		// cannot render an empty value. Its attributes.Set drops a
		// "value" of "" (the switch that should keep it tests the
		// value, not the name), so the next render finds the
		// attribute gone and calls removeAttribute("value"), which
		// leaves a textarea's text (and a typed input's) as it is:
		// the saved note stayed on screen and went into the next one.
		setFieldValue("note-text", f.text)
	})
}

// unsavedRest is what the note field keeps after a save: what was typed
// after the saved text while the save ran, or nothing.
func unsavedRest(now, saved string) string {
	rest, ok := strings.CutPrefix(now, saved)
	if !ok {
		// Edited while saving: the person sees it and decides.
		return now
	}
	return strings.TrimLeft(rest, " \t\r\n")
}

// deviationForm records a deviation (avvik): what happened, how serious,
// what was done.
type deviationForm struct {
	app.Compo
	shift   *shift.Shift
	Visit   care.Visit
	onClose func(ctx app.Context, saved bool)

	category    string
	severity    string
	description string
	action      string
	busy        bool
	problem     string
}

// DeviationCategories are the kinds of deviation offered in the form.
func DeviationCategories() []string {
	return []string{"fall", "medication", "equipment", "access", "not_home", "behaviour", "other"}
}

func (f *deviationForm) Render() app.UI {
	s := f.shift
	if f.severity == "" {
		f.severity = care.SeverityMedium
	}
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Attr("data-testid", "deviation-form").Body(
		app.H2().ID(formTitleID).Attr("tabindex", -1).Text(s.T("deviation.title")),
		app.Label().For("dev-category").Text(s.T("deviation.category")),
		app.Select().ID("dev-category").Attr("data-testid", "deviation-category").Required(true).
			OnChange(f.ValueTo(&f.category)).Body(
			app.Option().Value("").Text(s.T("deviation.choose")).Selected(f.category == ""),
			app.Range(DeviationCategories()).Slice(func(i int) app.UI {
				c := DeviationCategories()[i]
				return app.Option().Value(c).Text(s.T("deviation.category." + c)).Selected(f.category == c)
			}),
		),
		app.FieldSet().Class("choices").Body(
			app.Legend().Text(s.T("deviation.severity")),
			app.Range(care.Severities()).Slice(func(i int) app.UI {
				sv := care.Severities()[i]
				return app.Label().Class("choice").Body(
					app.Input().Type("radio").Name("dev-severity").Value(sv).Checked(f.severity == sv).
						Attr("data-testid", "deviation-severity-"+sv).
						OnChange(func(ctx app.Context, e app.Event) { f.severity = sv }),
					app.Span().Text(s.T("deviation.severity."+sv)),
				)
			}),
		),
		app.Label().For("dev-description").Text(s.T("deviation.description")),
		app.Textarea().ID("dev-description").Attr("data-testid", "deviation-description").Attr("rows", 3).
			Required(true).Text(f.description).OnInput(f.ValueTo(&f.description)),
		app.Label().For("dev-action").Text(s.T("deviation.action")),
		app.Textarea().ID("dev-action").Attr("data-testid", "deviation-action").Attr("rows", 2).
			Text(f.action).OnInput(f.ValueTo(&f.action)),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Text(f.problem)
		}),
		app.Div().Class("form-actions").Body(
			app.Button().Type("button").Class("btn").Text(s.T("form.cancel")).Disabled(f.busy).
				OnClick(func(ctx app.Context, e app.Event) { f.onClose(ctx, false) }),
			app.Button().Type("submit").Class("btn btn-primary").Attr("data-testid", "deviation-save").Disabled(f.busy).
				Text(busyLabel(s, f.busy, "deviation.save", "form.saving")),
		),
	)
}

func (f *deviationForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	switch {
	case f.category == "":
		f.problem = f.shift.T("deviation.need_category")
		return
	case strings.TrimSpace(f.description) == "":
		f.problem = f.shift.T("deviation.need_description")
		return
	}
	r := care.Record{Type: care.RecordDeviation, PatientID: f.Visit.PatientID, VisitID: f.Visit.ID,
		Category: f.category, Severity: f.severity, Description: strings.TrimSpace(f.description), ActionTaken: strings.TrimSpace(f.action)}
	f.busy, f.problem = true, ""
	saveRecord(ctx, f.shift, r, &f.busy, &f.problem, func(ctx app.Context) {
		f.onClose(ctx, true)
	})
}
