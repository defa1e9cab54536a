package app

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Where focus goes when a visit's form opens or closes. A form replaces
// the button that opened it (and the form is replaced in turn when it
// closes), so without a move the keyboard and the screen reader fall back
// to the top of the document and the worker loses their place.
const (
	formTitleID  = "form-title"
	visitTitleID = "visit-title"
)

// focusAfterRender moves focus to the element with the given id once the
// page has rendered the change at hand. ctx must belong to a component that
// stays on the page: go-app drops deferred steps of one that went away.
func focusAfterRender(ctx app.Context, id string) {
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			el.Call("focus")
		}
	})
}
