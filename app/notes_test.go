package app

import "testing"

// TestUnsavedRest: after a save the field keeps only words typed after the
// saved text while the save ran; never the saved text itself.
func TestUnsavedRest(t *testing.T) {
	tests := []struct{ now, saved, want string }{
		{"Spiste frokost", "Spiste frokost", ""},
		{"Spiste frokost. Tok tabletten", "Spiste frokost.", "Tok tabletten"},
		{"Spiste frokost\n\nSov", "Spiste frokost", "Sov"},
		{"Spiste lunsj", "Spiste frokost", "Spiste lunsj"},
		{"", "Spiste frokost", ""},
	}
	for _, tt := range tests {
		if got := unsavedRest(tt.now, tt.saved); got != tt.want {
			t.Errorf("unsavedRest(%q, %q) = %q, want %q", tt.now, tt.saved, got, tt.want)
		}
	}
}
