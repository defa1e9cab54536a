// Package browsertest starts Debian's Chromium the one way the browser
// tests and the browser benchmarks both need: headless, at a phone's size,
// in Oslo's time zone, kept from calling out to the internet, with the
// page's console lines at hand to explain a failure. Only tests and
// benchmarks import it.
package browsertest

import (
	"fmt"
	"os"
	"strings"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Phone is the screen size every browser test starts at (an iPhone 12–15).
const (
	PhoneWidth  = 390
	PhoneHeight = 844
)

// Path is the Chromium to run: $CHROMIUM, or Debian's /usr/bin/chromium.
func Path() (string, error) {
	path := "/usr/bin/chromium"
	if p := os.Getenv("CHROMIUM"); p != "" {
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("chromium is not installed at %s: apt-get install -y chromium (make deps does, as root), or set CHROMIUM", path)
	}
	return path, nil
}

// Options are the allocator options for the Chromium at path on the
// profile directory: the flags DESIGN asks for, the phone's window and the
// time zone the demo municipality lives in.
func Options(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.Env("TZ=Europe/Oslo"),
		chromedp.WindowSize(PhoneWidth, PhoneHeight),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
	}
}

// ConsoleLine describes a console call or an uncaught exception in the
// page; ok is false for every other DevTools event.
func ConsoleLine(ev any) (line string, ok bool) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
		}
		return "console." + string(e.Type) + ": " + strings.Join(parts, " "), true
	case *runtime.EventExceptionThrown:
		line := "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			line += " " + e.ExceptionDetails.Exception.Description
		}
		return line, true
	}
	return "", false
}
