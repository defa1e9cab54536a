package binder

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func testDoc() *doc {
	d := newDoc(context.Background(), fpdf.New("P", "mm", "A4", ""))
	d.font("", 10)
	return d
}

// quadraticWrap is the word wrapping the binder had before: it measured
// every candidate head of a long word from its start, which is quadratic
// in the word's length. It stays here as the reference the linear wrap
// must match line for line, and to show that the work counter catches a
// quadratic algorithm.
func quadraticWrap(d *doc, s string, w float64) []string {
	s = strings.TrimRight(d.clean(s), "\n")
	var out []string
	for _, para := range strings.Split(s, "\n") {
		cur := ""
		for _, word := range strings.Split(para, " ") {
			if word == "" {
				continue
			}
			try := word
			if cur != "" {
				try = cur + " " + word
			}
			if d.width(try) <= w {
				cur = try
				continue
			}
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			for d.width(word) > w {
				r := []rune(word)
				best := -1
				for i := 1; i < len(r); i++ {
					switch {
					case r[i-1] == '-' || r[i-1] == '/':
						if d.width(string(r[:i])) <= w {
							best = i
						}
					case string(r[i]) == softHyphen:
						if d.width(string(r[:i])+"-") <= w {
							best = -(i + 1)
						}
					}
				}
				var head, rest string
				switch {
				case best > 0:
					head, rest = string(r[:best]), string(r[best:])
				case best < -1:
					i := -best - 1
					head, rest = string(r[:i])+"-", string(r[i+1:])
				default:
					n := 1
					for n < len(r) && d.width(string(r[:n+1])) <= w {
						n++
					}
					head, rest = string(r[:n]), string(r[n:])
				}
				out = append(out, head)
				word = rest
			}
			cur = word
		}
		out = append(out, cur)
	}
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], softHyphen, "")
	}
	return out
}

// TestWrapMatchesTheOldLayout: on random text with spaces, hyphens,
// slashes, soft hyphens, line breaks and long words, in every style and
// at many widths, the linear wrap gives exactly the lines the old one did.
func TestWrapMatchesTheOldLayout(t *testing.T) {
	d := testDoc()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "W", "i", "ø", "Å", " ", " ", "-", "/", softHyphen, "\n", "m", "l", "漢", "…", "1"}
	for n := 0; n < 3000; n++ {
		var b strings.Builder
		for range rng.IntN(120) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		if rng.IntN(4) == 0 {
			b.WriteString(strings.Repeat("x", rng.IntN(200)))
		}
		s := b.String()
		style := []string{"", "B", "I", "BI"}[rng.IntN(4)]
		d.font(style, []float64{8, 10, 16}[rng.IntN(3)])
		w := 1 + rng.Float64()*60
		got, want := d.wrap(s, w), quadraticWrap(d, s, w)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("wrap(%q, %.2f, %q):\n got %q\nwant %q", s, w, style, got, want)
		}
	}
}

// TestWrapIsLinear counts the runes measured and looked at: for a word of
// n runes it is a small multiple of n, however the word may be broken, so
// the review's 10 MB name costs ten times a 1 MB one, not a hundred. A
// 1 MiB word is laid out here, which the old layout did not finish.
func TestWrapIsLinear(t *testing.T) {
	words := map[string]func(n int) string{
		"letters":       func(n int) string { return strings.Repeat("x", n) },
		"wide letters":  func(n int) string { return strings.Repeat("W", n) },
		"hyphens":       func(n int) string { return strings.Repeat("ab-", n/3) },
		"slash at ends": func(n int) string { return "/" + strings.Repeat("y", n-2) + "/" },
		"soft hyphens":  func(n int) string { return strings.Repeat("abc"+softHyphen, n/4) },
		"one hyphen":    func(n int) string { return "a-" + strings.Repeat("z", n-2) },
		"words":         func(n int) string { return strings.Repeat("ord ", n/4) },
	}
	const n = 1 << 20
	for name, word := range words {
		t.Run(name, func(t *testing.T) {
			d := testDoc()
			s := word(n)
			lines := d.wrap(s, 40)
			if len(lines) < 2 {
				t.Fatalf("%d lines", len(lines))
			}
			if limit := 5 * len([]rune(s)); d.work > limit {
				t.Fatalf("wrapping %d runes took %d steps, more than %d", len([]rune(s)), d.work, limit)
			}
		})
	}
	// The counter does catch a quadratic wrap: the old one, on a word of
	// only 20,000 letters, goes far past the bound.
	d := testDoc()
	s := strings.Repeat("x", 20_000)
	quadraticWrap(d, s, 40)
	if d.work <= 5*len(s) {
		t.Fatalf("the old wrap took %d steps on %d runes: the counter cannot tell it from a linear one", d.work, len(s))
	}
}

// cancelAfter is a context whose Err turns to Canceled after a number of
// calls: a client that goes away in the middle of the layout.
type cancelAfter struct {
	context.Context
	calls, after int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.after {
		return context.Canceled
	}
	return nil
}

// TestLayoutStopsWhenCancelled: once the request's context is done, the
// layout does next to nothing more and returns ctx.Err().
func TestLayoutStopsWhenCancelled(t *testing.T) {
	d := testData()
	for i := range d.Patients {
		d.Patients[i].AccessInfo = strings.Repeat("Nøkkel hos naboen, ring to ganger. ", 3000)
	}
	full, err := layout(context.Background(), []*input{prepare(d)}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &cancelAfter{Context: context.Background(), after: 5}
	stopped, err := layout(ctx, []*input{prepare(d)}, nil, 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("layout = %v, want context.Canceled", err)
	}
	if stopped.work*20 > full.work {
		t.Fatalf("a cancelled layout did %d steps of the full %d", stopped.work, full.work)
	}
	if err := Render(ctx, &strings.Builder{}, d); !errors.Is(err, context.Canceled) {
		t.Fatalf("Render = %v, want context.Canceled", err)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if err := Render(done, &out, d); !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Fatalf("Render on a done context = %v, wrote %d bytes", err, out.Len())
	}
}

// TestFitMatchesTheOldLayout: the header's shortening with an ellipsis
// gives what the old one (which measured the whole text once per rune
// dropped) gave, in linear work.
func TestFitMatchesTheOldLayout(t *testing.T) {
	oldFit := func(d *doc, s string, w float64) string {
		s = strings.ReplaceAll(d.clean(s), "\n", " ")
		if d.width(s) <= w {
			return s
		}
		r := []rune(s)
		for len(r) > 0 && d.width(string(r)+"…") > w {
			r = r[:len(r)-1]
		}
		return strings.TrimSpace(string(r)) + "…"
	}
	d := testDoc()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		r := []rune(strings.Repeat("Hjemmetjenesten Nord · Beredskapsperm ", 1+rng.IntN(3)))
		s := string(r[:rng.IntN(len(r))])
		w := rng.Float64() * 80
		if got, want := d.fit(s, w), oldFit(d, s, w); got != want {
			t.Fatalf("fit(%q, %.1f) = %q, want %q", s, w, got, want)
		}
	}
	d = testDoc()
	s := strings.Repeat("Nord ", 200_000)
	d.fit(s, 100)
	if d.work > 3*len(s) {
		t.Fatalf("fit took %d steps on %d runes", d.work, len(s))
	}
}
