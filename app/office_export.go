package app

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/wire"
)

// exportStall is how long an export may go without a byte before the
// office gives up on it: the server flushes every 64 KiB, so a silence
// this long is a dead connection, not a slow one.
const exportStall = 2 * time.Minute

// errExportBroken is an export that did not come whole: the connection
// failed or the server aborted it after it had started.
var errExportBroken = errors.New("the export broke off")

// officeExport is the records table's export buttons and, while an
// export downloads, how far it has come: records so far, of how many the
// filters match when the server says. The file is saved only once the
// whole answer has come; an export that breaks off saves nothing and
// says so.
type officeExport struct {
	app.Compo
	shift *shift.Shift
	// Query is the table's filters, URL-encoded: the export takes them.
	Query string

	format  string // the export under way, "" when none
	records int    // records received so far
	bytes   int64  // bytes received so far
	total   int    // records the filters match; 0 while not known
	outcome string // what the last export came to
	ended   string // the last export's format
	failed  bool
	cancel  context.CancelFunc
}

func (e *officeExport) t(key string, args ...any) string { return e.shift.T(key, args...) }

func (e *officeExport) Render() app.UI {
	busy := e.format != ""
	return app.Span().Class("export").Body(
		app.Button().Class("btn btn-small").Attr("data-testid", "export-csv").Disabled(busy).Text(e.t("office.export_csv")).
			OnClick(func(ctx app.Context, ev app.Event) { e.start(ctx, "csv") }),
		app.Button().Class("btn btn-small").Attr("data-testid", "export-fhir").Disabled(busy).Text(e.t("office.export_fhir")).
			OnClick(func(ctx app.Context, ev app.Event) { e.start(ctx, "fhir") }),
		app.If(busy, func() app.UI {
			bar := app.Progress().Class("export-bar").Attr("aria-label", e.t("export.progress_label"))
			if e.total > 0 {
				bar = bar.Max(e.total).Attr("value", min(e.records, e.total))
			}
			return app.Span().Class("export-progress").Attr("role", "status").Attr("data-testid", "export-progress").Body(
				bar,
				app.Span().Text(e.progressText()),
				app.Button().Class("btn btn-small").Attr("data-testid", "export-cancel").Text(e.t("export.cancel")).
					OnClick(func(ctx app.Context, ev app.Event) {
						if e.cancel != nil {
							e.cancel()
						}
					}),
			)
		}),
		app.If(!busy && e.outcome != "", func() app.UI {
			class, role := "export-outcome", "status"
			if e.failed {
				class, role = "export-outcome export-failed", "alert"
			}
			return app.Span().Class(class).Attr("role", role).Attr("data-testid", "export-outcome").
				Attr("data-format", e.ended).Attr("data-failed", e.failed).Attr("data-records", e.records).Text(e.outcome)
		}),
	)
}

// progressText is how far the export has come, in the user's words.
func (e *officeExport) progressText() string {
	lang := e.shift.Prefs().Lang()
	name := e.t("export.format." + e.format)
	n, size := groupDigits(lang, e.records), megabytes(lang, e.bytes)
	if e.total > 0 && e.records <= e.total {
		return e.t("export.progress_of", name, n, groupDigits(lang, e.total), size)
	}
	return e.t("export.progress", name, n, size)
}

// start downloads an export of the table's filters, and asks meanwhile
// how many records they match (the records list says, with a page of
// one), for the progress bar.
func (e *officeExport) start(ctx app.Context, format string) {
	token, _, ok := e.shift.Keyring().OfficeSession()
	if !ok || e.format != "" {
		return
	}
	q, err := url.ParseQuery(e.Query)
	if err != nil {
		q = url.Values{}
	}
	name := "beredskap-" + time.Now().Format("20060102-1504") + ".csv"
	if format == "fhir" {
		name = strings.TrimSuffix(name, ".csv") + ".fhir.json"
	}
	c, cancel := context.WithCancel(context.Background())
	e.format, e.records, e.bytes, e.total, e.outcome, e.failed, e.cancel = format, 0, 0, 0, "", false, cancel
	ctx.Async(func() {
		tq := url.Values{}
		for k, v := range q {
			tq[k] = v
		}
		tq.Set("limit", "1")
		rc, rcancel := context.WithTimeout(c, 60*time.Second)
		defer rcancel()
		if rr, err := e.shift.API().Records(rc, token, tq); err == nil && rr.Total > 0 {
			ctx.Dispatch(func(ctx app.Context) { e.total = rr.Total })
		}
	})
	ctx.Async(func() {
		defer cancel()
		stall := time.AfterFunc(exportStall, cancel)
		count := exportCounter{format: format}
		var shown time.Time
		show := func() {
			records, n := count.records(), count.bytes
			ctx.Dispatch(func(ctx app.Context) { e.records, e.bytes = records, n })
		}
		answered := false
		err := streamDownload(c, "/api/v1/export/"+format+"?"+q.Encode(), token, name, func(chunk []byte) {
			answered = true
			stall.Reset(exportStall)
			count.add(chunk)
			// Drawn a few times a second, not at every chunk.
			if now := time.Now(); now.Sub(shown) >= 250*time.Millisecond {
				shown = now
				show()
			}
		})
		stalled := !stall.Stop() && c.Err() != nil // the timer fired: nothing came for exportStall
		show()
		ctx.Dispatch(func(ctx app.Context) { e.finish(err, stalled, answered) })
	})
}

// finish says what the export came to; answered is whether the server
// had begun to send it.
func (e *officeExport) finish(err error, stalled, answered bool) {
	lang := e.shift.Prefs().Lang()
	n := groupDigits(lang, e.records)
	e.ended, e.format, e.cancel, e.failed = e.format, "", nil, err != nil
	switch {
	case err == nil:
		e.outcome = e.t("export.saved", n)
	case stalled:
		e.outcome = e.t("export.stalled", n)
	case errors.Is(err, context.Canceled):
		e.outcome = e.t("export.cancelled")
	case shift.ErrorCode(err) == wire.CodeUnauthorized:
		e.outcome = e.t("sync.needs_login")
		e.shift.Keyring().EndOffice()
	case shift.ErrorCode(err) != "":
		e.outcome = shift.ErrorText(lang, err) // refused before it started: the server's reason
	case !answered:
		e.outcome = e.t("office.offline") // the server was not reached
	default:
		e.outcome = e.t("export.broken", n)
	}
}

// exportCounter counts the records of an export as its bytes arrive,
// without keeping them. CSV: rows are the line ends outside quoted cells,
// less the header. FHIR: entries are the `{"fullUrl":` that opens each
// one, which no JSON string holds unescaped. The count follows what the
// server's writers write (internal/export); the test holds it to them.
type exportCounter struct {
	format string
	bytes  int64
	quoted bool   // CSV: inside a quoted cell
	lines  int    // CSV: line ends outside quotes
	tail   []byte // FHIR: the last bytes, for an opening cut between chunks
	found  int    // FHIR: entry openings
}

var entryOpening = []byte(`{"fullUrl":`)

func (c *exportCounter) add(b []byte) {
	c.bytes += int64(len(b))
	if c.format == "csv" {
		for {
			i := bytes.IndexAny(b, "\"\n")
			if i < 0 {
				return
			}
			if b[i] == '"' {
				c.quoted = !c.quoted // "" inside a cell toggles twice
			} else if !c.quoted {
				c.lines++
			}
			b = b[i+1:]
		}
	}
	k := len(entryOpening) - 1
	// An opening across the boundary has its start in the tail and its
	// end in b; the tail is too short to hold one by itself, and b's own
	// are counted on b.
	edge := append(c.tail, b[:min(len(b), k)]...)
	c.found += bytes.Count(edge, entryOpening) + bytes.Count(b, entryOpening)
	if len(b) >= k {
		c.tail = append(c.tail[:0], b[len(b)-k:]...)
	} else {
		c.tail = append(c.tail[:0], edge[max(0, len(edge)-k):]...)
	}
}

func (c *exportCounter) records() int {
	if c.format == "csv" {
		return max(0, c.lines-1)
	}
	return c.found
}

// groupDigits writes n with the language's thousands separator.
func groupDigits(lang string, n int) string {
	s := strconv.Itoa(n)
	sep := "\u00a0" // nb, sv, da: a space that does not break
	if lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// megabytes writes a size in MB with one decimal, the language's decimal
// mark.
func megabytes(lang string, n int64) string {
	s := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
