package app

import (
	"context"
	"log"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/i18n"
)

// settingsToggle is the topbar button that opens the language and theme
// choices on every page. It shows the current language's code, so that
// someone who cannot read the page still finds where to change it. Its
// name is spoken from hidden text rather than an aria-label, so that what
// a screen reader says includes the code that is on the button (speech
// control users say what they see).
func (p *page) settingsToggle() app.UI {
	return app.Button().Type("button").Class("btn-settings").
		Attr("aria-expanded", strconv.FormatBool(p.settingsOpen)).
		Attr("aria-controls", "settings").
		Attr("data-testid", "settings-toggle").
		OnClick(func(ctx app.Context, e app.Event) { p.settingsOpen = !p.settingsOpen }).
		Body(
			icon("globe"),
			app.Span().Class("visually-hidden").Text(p.t("settings.open")+" "),
			app.Span().Class("btn-settings-code").Text(p.shift.Prefs().Lang()),
		)
}

// settingsPanel holds the language and theme switchers, under the topbar
// while open.
func (p *page) settingsPanel() app.UI {
	if !p.settingsOpen {
		return app.Text("")
	}
	lang, theme := p.shift.Prefs().Lang(), p.shift.Prefs().Theme()
	choice := func(testid, label, langAttr string, pressed bool, pick func()) app.UI {
		b := app.Button().Type("button").Class("seg").
			Attr("aria-pressed", strconv.FormatBool(pressed)).
			Attr("data-testid", testid).
			OnClick(func(ctx app.Context, e app.Event) { pick() }).
			Text(label)
		if langAttr != "" {
			b = b.Attr("lang", langAttr)
		}
		return b
	}
	return app.Section().ID("settings").Class("settings").Attr("aria-labelledby", "settings-title").Attr("data-testid", "settings").Body(
		app.Div().Class("settings-head").Body(
			app.H2().ID("settings-title").Class("settings-title").Text(p.t("settings.open")),
			app.Button().Type("button").Class("btn btn-small").Attr("data-testid", "settings-close").
				OnClick(func(ctx app.Context, e app.Event) { p.settingsOpen = false }).
				Text(p.t("settings.close")),
		),
		app.Div().Class("settings-group").Attr("role", "group").Attr("aria-labelledby", "settings-lang").Body(
			app.P().ID("settings-lang").Class("settings-label").Text(p.t("settings.language")),
			app.Div().Class("segmented segmented-2").Body(
				app.Range(i18n.Languages()).Slice(func(i int) app.UI {
					l := i18n.Languages()[i]
					return choice("lang-"+l, i18n.Name(l), l, l == lang, func() { p.chooseLang(l) })
				}),
			),
			app.If(p.shift.Prefs().LangUnsent(), func() app.UI {
				return app.P().Class("muted small settings-note").Attr("data-testid", "lang-unsent").Text(p.t("settings.lang_unsent"))
			}),
		),
		app.Div().Class("settings-group").Attr("role", "group").Attr("aria-labelledby", "settings-theme").Body(
			app.P().ID("settings-theme").Class("settings-label").Text(p.t("settings.theme")),
			app.Div().Class("segmented segmented-3").Body(
				app.Range(shift.Themes()).Slice(func(i int) app.UI {
					th := shift.Themes()[i]
					return choice("theme-"+th, p.t("settings.theme."+th), "", th == theme, func() { p.shift.Prefs().SetTheme(th) })
				}),
			),
		),
		app.If(p.installable, p.installChoice),
		// A lost phone is reported from another (phones.go, issue 19).
		app.If(p.shift.Phase() == shift.PhaseUnlocked, func() app.UI {
			return app.A().Href("/phones").Class("tap-link").Attr("data-testid", "phones-link").Text(p.t("phones.title"))
		}),
	)
}

// installChoice offers to put the app on the home screen, where it opens
// offline and where Safari keeps its data. Safari has no install prompt
// to call: it says where to tap instead.
func (p *page) installChoice() app.UI {
	if appleMobile() {
		return app.P().Class("settings-note").Attr("data-testid", "install-ios").Text(p.t("settings.install_ios"))
	}
	return app.Button().Type("button").Class("btn btn-block").Attr("data-testid", "install").
		OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() }).
		Text(p.t("settings.install"))
}

// chooseLang switches the pages to lang at once, keeps it on the phone and
// saves it on the server when it answers; offline, the sync loop sends it
// at the next contact.
func (p *page) chooseLang(lang string) {
	s := p.shift
	go func() {
		ctx := context.Background()
		if err := s.Prefs().ChooseLang(ctx, lang); err != nil {
			log.Printf("beredskap: %v", err)
			return
		}
		if err := s.Prefs().SendLang(ctx); err != nil {
			log.Printf("beredskap: %v", err)
		}
	}()
}
