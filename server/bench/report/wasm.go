package main

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// wasmShare is what one Go package contributes to the wasm's code.
type wasmShare struct {
	Package string
	Bytes   int
}

// wasmBreakdown sums the size of every function body in an unstripped
// wasm module by the Go package its name belongs to, using the module's
// "name" section. Data segments are counted as one entry.
func wasmBreakdown(mod []byte, pkgs []string) ([]wasmShare, int, error) {
	if len(mod) < 8 || !bytes.Equal(mod[:4], []byte("\x00asm")) {
		return nil, 0, errors.New("not a wasm module")
	}
	r := &reader{b: mod[8:]}
	imported := 0
	var bodies []int
	names := map[int]string{}
	data := 0
	for !r.done() {
		id := r.byte()
		size := int(r.uleb())
		sec := &reader{b: r.take(size)}
		if r.err != nil {
			return nil, 0, r.err
		}
		switch id {
		case 2: // imports: functions imported take the first indexes
			for n := int(sec.uleb()); n > 0 && sec.err == nil; n-- {
				sec.take(int(sec.uleb())) // module
				sec.take(int(sec.uleb())) // field
				switch kind := sec.byte(); kind {
				case 0:
					sec.uleb()
					imported++
				case 1:
					sec.byte()
					sec.limits()
				case 2:
					sec.limits()
				case 3:
					sec.byte()
					sec.byte()
				default:
					return nil, 0, fmt.Errorf("import kind %d", kind)
				}
			}
		case 10: // code
			for n := int(sec.uleb()); n > 0 && sec.err == nil; n-- {
				sz := int(sec.uleb())
				sec.take(sz)
				bodies = append(bodies, sz)
			}
		case 11:
			data += size
		case 0:
			name := string(sec.take(int(sec.uleb())))
			if name != "name" {
				continue
			}
			for !sec.done() && sec.err == nil {
				sub := sec.byte()
				sub2 := &reader{b: sec.take(int(sec.uleb()))}
				if sub != 1 {
					continue
				}
				for n := int(sub2.uleb()); n > 0 && sub2.err == nil; n-- {
					idx := int(sub2.uleb())
					names[idx] = string(sub2.take(int(sub2.uleb())))
				}
			}
		}
		if sec.err != nil {
			return nil, 0, fmt.Errorf("section %d: %w", id, sec.err)
		}
	}
	if len(names) == 0 {
		return nil, 0, errors.New("the module has no name section (built with -s?)")
	}
	known := map[string]string{}
	for _, p := range pkgs {
		known[mangle(p)] = p
	}
	byPkg := map[string]int{}
	total := data
	for i, sz := range bodies {
		byPkg[goPackage(names[imported+i], known)] += sz
		total += sz
	}
	byPkg["(data segments)"] += data
	out := make([]wasmShare, 0, len(byPkg))
	for p, n := range byPkg {
		out = append(out, wasmShare{p, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out, total, nil
}

// mangle writes a package path as the wasm linker writes it into function
// names: "/" and "-" become "_".
func mangle(path string) string { return strings.NewReplacer("/", "_", "-", "_").Replace(path) }

// goPackage takes the package from a function name in the wasm name
// section, such as "github.com_maxence_charriere_go_app_v10_pkg_app.(*Engine).Start":
// the longest known package (mangled) that the name starts with, followed
// by a dot; names of no known package are grouped by their first part.
func goPackage(sym string, known map[string]string) string {
	if sym == "" {
		return "(unnamed)"
	}
	best := ""
	for i := 0; i < len(sym); i++ {
		if sym[i] != '.' {
			continue
		}
		if p, ok := known[sym[:i]]; ok && len(p) > len(best) {
			best = p
		}
	}
	if best != "" {
		return best
	}
	if i := strings.IndexAny(sym, "._"); i > 0 {
		return sym[:i] + " (other)"
	}
	return sym
}

// reader reads a wasm section; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) done() bool { return len(r.b) == 0 || r.err != nil }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errors.New("unexpected end")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) take(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.err = errors.New("unexpected end")
		r.b = nil
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("bad LEB128")
	return 0
}

func (r *reader) limits() {
	if r.byte() == 1 {
		r.uleb()
	}
	r.uleb()
}
