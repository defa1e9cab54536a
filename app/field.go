package app

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// setFieldValue sets a form field's value in the page. A form that empties
// a field after a save must call it: go-app v10.1.11 cannot render an
// empty value (its attributes.Set drops a "value" of "", so the next
// render calls removeAttribute("value"), which leaves the text a person
// typed into a textarea or input on screen).
func setFieldValue(id, v string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", v)
	}
}
