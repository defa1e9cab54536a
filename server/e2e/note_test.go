package e2e

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
)

// TestNoteFormEmptiesAfterSave: after "saved" the note field is empty in
// the page, not only in the app's memory; saving again asks for text
// instead of repeating the saved note; a second note holds only its own
// words. The server ends with exactly the two notes.
func TestNoteFormEmptiesAfterSave(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "135791")
	within(t, ctx, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))

	first, second := "Første notat om besøket", "Andre notat"
	writeNote(t, ctx, first)
	if v := eval[string](t, ctx, noteValueJS); v != "" {
		t.Fatalf("the note field still shows %q after saving", v)
	}
	// Saving an empty form is refused; nothing is written twice.
	within(t, ctx, 30*time.Second, click(sel("note-save")),
		chromedp.WaitVisible(`[data-testid="note-text"] ~ p.error`))
	writeNote(t, ctx, second)
	if v := eval[string](t, ctx, noteValueJS); v != "" {
		t.Fatalf("the note field still shows %q after the second save", v)
	}
	waitFor(t, ctx, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length === 2 && s.every(x => x === "sent");
	})()`)
	srv.stop()
	var got []string
	for _, r := range serverRecords(t, srv) {
		if r.Type == care.RecordNote {
			got = append(got, r.Text)
		}
	}
	sort.Strings(got)
	want := []string{second, first}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("the server holds the notes %q, want %q", got, want)
	}
}

const noteValueJS = `document.querySelector('[data-testid="note-text"]').value`
