package shift

// Colour themes. The system theme follows the phone's light or dark
// setting; the others hold whatever the phone says, for a night shift on a
// phone that is light by day.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Themes lists the colour themes in the order the switcher shows them.
func Themes() []string { return []string{ThemeSystem, ThemeLight, ThemeDark} }

// Theme is the colour theme chosen on this phone.
func (s *Prefs) Theme() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.theme
}

// SetTheme chooses the colour theme: it applies at once and is kept on the
// phone (it is a property of the phone, not of the user's account).
func (s *Prefs) SetTheme(theme string) {
	switch theme {
	case ThemeLight, ThemeDark:
	default:
		theme = ThemeSystem
	}
	s.mu.Lock()
	s.theme = theme
	s.mu.Unlock()
	s.browser.ApplyTheme(theme)
	s.notify()
}
