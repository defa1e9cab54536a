package app

import (
	"errors"
	"testing"
)

// TestUpdateReady: the banner shows for another version, never for the
// version the page booted with, and when the worker cannot answer.
func TestUpdateReady(t *testing.T) {
	tests := []struct {
		name           string
		booted, active string
		err            error
		want           bool
	}{
		{"first install: same version", "abc", "abc", nil, false},
		{"new version", "abc", "def", nil, true},
		{"worker did not answer", "abc", "", errors.New("timeout"), true},
		{"worker answered nothing", "abc", "", nil, true},
		{"page without a version", "", "abc", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := updateReady(tt.booted, tt.active, tt.err); got != tt.want {
				t.Fatalf("updateReady(%q, %q, %v) = %v, want %v", tt.booted, tt.active, tt.err, got, tt.want)
			}
		})
	}
}
