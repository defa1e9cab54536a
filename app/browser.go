package app

// Browser is the page around the shift (shift.Browser): the language and
// theme shown on it, and the tab's session storage for a coordinator.
type Browser struct{}

// ShowLang implements shift.Browser.
func (Browser) ShowLang(lang string) { showLang(lang) }

// Theme implements shift.Browser.
func (Browser) Theme() string { return loadTheme() }

// ApplyTheme implements shift.Browser.
func (Browser) ApplyTheme(theme string) { applyTheme(theme) }

// SaveOfficeSession implements shift.Browser.
func (Browser) SaveOfficeSession(b []byte) { saveOfficeSession(b) }

// LoadOfficeSession implements shift.Browser.
func (Browser) LoadOfficeSession() []byte { return loadOfficeSession() }

// ClearOfficeSession implements shift.Browser.
func (Browser) ClearOfficeSession() { clearOfficeSession() }
