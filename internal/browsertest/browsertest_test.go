package browsertest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
)

func TestConsoleLine(t *testing.T) {
	cases := []struct {
		name string
		ev   any
		want string
		ok   bool
	}{
		{"log with a string and a number",
			&runtime.EventConsoleAPICalled{Type: runtime.ConsoleAPICalledTypeLog, Args: []*runtime.RemoteObject{
				{Value: []byte(`"unlocked in"`)}, {Value: []byte(`813`)}}},
			"console.log: unlocked in 813", true},
		{"error with an object",
			&runtime.EventConsoleAPICalled{Type: runtime.ConsoleAPICalledTypeError, Args: []*runtime.RemoteObject{{Description: "TypeError: x"}}},
			"console.error: TypeError: x", true},
		{"exception with its object",
			&runtime.EventExceptionThrown{ExceptionDetails: &runtime.ExceptionDetails{Text: "Uncaught", Exception: &runtime.RemoteObject{Description: "Error: boom"}}},
			"exception: Uncaught Error: boom", true},
		{"exception without an object",
			&runtime.EventExceptionThrown{ExceptionDetails: &runtime.ExceptionDetails{Text: "Uncaught"}},
			"exception: Uncaught", true},
		{"another event", &runtime.EventExecutionContextsCleared{}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ConsoleLine(c.ev)
			if got != c.want || ok != c.ok {
				t.Errorf("ConsoleLine = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestPathNamesAMissingChromium(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-chromium")
	t.Setenv("CHROMIUM", missing)
	_, err := Path()
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "apt-get install") {
		t.Fatalf("Path() error = %v, want one naming %s and how to install", err, missing)
	}
}
