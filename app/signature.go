package app

import (
	"fmt"
	"math"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/care"
)

// signature is a handwritten signature as strokes of points on the pad's
// canvas (600×200 units, whatever its size on screen).
type signature struct {
	strokes [][][2]int
}

// Pad size in canvas units.
const (
	padWidth  = 600
	padHeight = 200
)

// Empty reports whether nothing has been drawn.
func (s *signature) Empty() bool {
	for _, st := range s.strokes {
		if len(st) > 0 {
			return false
		}
	}
	return true
}

// Path is the signature as SVG path data: "M x y L x y …" per stroke.
func (s *signature) Path() string {
	var b strings.Builder
	for _, st := range s.strokes {
		for i, p := range st {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%d %d ", cmd, p[0], p[1])
		}
		if len(st) == 1 { // a dot: make it visible
			fmt.Fprintf(&b, "L%d %d ", st[0][0]+1, st[0][1])
		}
	}
	return strings.TrimSpace(b.String())
}

// add appends a point to the current stroke unless it is within 2 units of
// the last one, or the path would grow past the record limit.
func (s *signature) add(x, y int) bool {
	if len(s.strokes) == 0 {
		return false
	}
	st := &s.strokes[len(s.strokes)-1]
	if n := len(*st); n > 0 {
		last := (*st)[n-1]
		if math.Hypot(float64(x-last[0]), float64(y-last[1])) < 2 {
			return false
		}
	}
	if s.size()+12 > care.MaxSignatureBytes {
		return false
	}
	*st = append(*st, [2]int{x, y})
	return true
}

func (s *signature) size() int {
	n := 0
	for _, st := range s.strokes {
		n += len(st) * 10
	}
	return n
}

// signaturePad draws with a finger, a stylus or a mouse (pointer events)
// and keeps the strokes in sig, which belongs to the form around it.
type signaturePad struct {
	app.Compo
	sig    *signature
	label  string
	undo   string
	clear  string
	testid string

	drawing bool
	canvas  app.Value
	ctx2d   app.Value
}

func (p *signaturePad) OnMount(ctx app.Context) {
	p.canvas = ctx.JSSrc().Call("querySelector", "canvas")
	p.ctx2d = p.canvas.Call("getContext", "2d")
	p.redraw()
}

func (p *signaturePad) Render() app.UI {
	return app.Div().Class("sigpad").Body(
		app.Span().Class("sigpad-label").ID(p.testid+"-label").Text(p.label),
		app.Canvas().Attr("width", padWidth).Attr("height", padHeight).Attr("data-testid", p.testid).
			Attr("role", "img").Attr("aria-labelledby", p.testid+"-label").
			On("pointerdown", p.down).On("pointermove", p.move).
			On("pointerup", p.up).On("pointercancel", p.up).On("pointerleave", p.up),
		app.Div().Class("sigpad-actions").Body(
			app.Button().Type("button").Class("btn btn-small").Attr("data-testid", p.testid+"-undo").Text(p.undo).OnClick(p.undoStroke),
			app.Button().Type("button").Class("btn btn-small").Attr("data-testid", p.testid+"-clear").Text(p.clear).OnClick(p.clearAll),
		),
	)
}

// point converts the event's position to canvas units.
func (p *signaturePad) point(e app.Event) (int, int) {
	w := p.canvas.Get("clientWidth").Float()
	h := p.canvas.Get("clientHeight").Float()
	if w == 0 || h == 0 {
		return 0, 0
	}
	x := e.Get("offsetX").Float() * padWidth / w
	y := e.Get("offsetY").Float() * padHeight / h
	return int(math.Round(x)), int(math.Round(y))
}

func (p *signaturePad) down(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx.PreventUpdate()
	if p.canvas == nil {
		return
	}
	p.canvas.Call("setPointerCapture", e.Get("pointerId"))
	p.drawing = true
	x, y := p.point(e)
	p.sig.strokes = append(p.sig.strokes, [][2]int{{x, y}})
	p.ctx2d.Call("beginPath")
	p.ctx2d.Call("moveTo", x, y)
	p.ctx2d.Call("lineTo", x+1, y)
	p.ctx2d.Call("stroke")
}

func (p *signaturePad) move(ctx app.Context, e app.Event) {
	ctx.PreventUpdate()
	if !p.drawing {
		return
	}
	e.PreventDefault()
	x, y := p.point(e)
	st := p.sig.strokes[len(p.sig.strokes)-1]
	last := st[len(st)-1]
	if p.sig.add(x, y) {
		p.ctx2d.Call("beginPath")
		p.ctx2d.Call("moveTo", last[0], last[1])
		p.ctx2d.Call("lineTo", x, y)
		p.ctx2d.Call("stroke")
	}
}

func (p *signaturePad) up(ctx app.Context, e app.Event) {
	if !p.drawing {
		ctx.PreventUpdate()
		return
	}
	p.drawing = false
	// The form around the pad re-renders: "sign" may now be enabled.
}

func (p *signaturePad) undoStroke(ctx app.Context, e app.Event) {
	if n := len(p.sig.strokes); n > 0 {
		p.sig.strokes = p.sig.strokes[:n-1]
	}
	p.redraw()
}

func (p *signaturePad) clearAll(ctx app.Context, e app.Event) {
	p.sig.strokes = nil
	p.redraw()
}

// redraw paints every stroke again after undo or clear.
func (p *signaturePad) redraw() {
	if p.ctx2d == nil {
		return
	}
	c := p.ctx2d
	c.Call("clearRect", 0, 0, padWidth, padHeight)
	c.Set("lineWidth", 3)
	c.Set("lineCap", "round")
	c.Set("lineJoin", "round")
	c.Set("strokeStyle", "#111")
	for _, st := range p.sig.strokes {
		if len(st) == 0 {
			continue
		}
		c.Call("beginPath")
		c.Call("moveTo", st[0][0], st[0][1])
		if len(st) == 1 {
			c.Call("lineTo", st[0][0]+1, st[0][1])
		}
		for _, pt := range st[1:] {
			c.Call("lineTo", pt[0], pt[1])
		}
		c.Call("stroke")
	}
}
