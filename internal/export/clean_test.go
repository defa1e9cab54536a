package export

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// prunedByMaps is how clean worked before it worked on bytes: decode
// into maps, drop the empty values, encode. It is the reference the
// byte-level clean is held to.
func prunedByMaps(t testing.TB, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var prune func(v any) (any, bool)
	prune = func(v any) (any, bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if p, keep := prune(val); keep {
					x[k] = p
				} else {
					delete(x, k)
				}
			}
			return x, len(x) > 0
		case []any:
			out := x[:0]
			for _, val := range x {
				if p, keep := prune(val); keep {
					out = append(out, p)
				}
			}
			return out, len(out) > 0
		case string:
			return x, x != ""
		case nil:
			return nil, false
		}
		return v, true
	}
	if p, keep := prune(v); keep {
		return p
	}
	return nil
}

func decoded(t testing.TB, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return v
}

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":{},"b":[],"c":"","d":null,"e":1}`, `{"e":1}`},
		{`{"e":{"f":{"g":[]}},"h":[{},{"i":1},[],""]}`, `{"h":[{"i":1}]}`},
		{`{"j":false,"k":0,"l":"x\"y","m":"\\"}`, `{"j":false,"k":0,"l":"x\"y","m":"\\"}`},
		{`{"n":-1.5e3,"o":[true,null,"p"]}`, `{"n":-1.5e3,"o":[true,"p"]}`},
		{` { "q" : [ 1 , { } ] , "r" : "" } `, `{"q":[1]}`},
		{`{"s":{}}`, ``},
		{`[]`, ``},
		{`"\u00e6\"{}"`, `"\u00e6\"{}"`},
	}
	for _, c := range cases {
		got, err := clean([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("clean(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`{"a":1`, `{"a" 1}`, `{1:2}`, `["a"`, `"abc`, `{"a":1} x`, ``, `{"a":1,}x`} {
		if got, err := clean([]byte(bad)); err == nil {
			t.Errorf("clean(%s) = %s, want an error", bad, got)
		}
	}
}

// FuzzClean holds clean to the map-based reference on any JSON that
// json.Marshal writes.
func FuzzClean(f *testing.F) {
	for _, s := range []string{`{"a":{},"b":[1,{"c":""}],"d":"e"}`, `[[],[[]],{"x":null}]`, `{"k":"\"\\u0000"}`, `0`} {
		f.Add([]byte(s))
	}
	for _, it := range items() {
		res, err := resource(it, names)
		if err != nil {
			f.Fatal(err)
		}
		raw, _ := json.Marshal(res)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		// clean reads what json.Marshal wrote, which has no duplicate keys
		// (the maps would keep the last one): write the input so.
		raw, err := json.Marshal(decoded(t, raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := clean(raw)
		if err != nil {
			t.Fatalf("clean(%s): %v", raw, err)
		}
		want := prunedByMaps(t, raw)
		if want == nil {
			if len(got) != 0 {
				t.Fatalf("clean(%s) = %s, want nothing", raw, got)
			}
			return
		}
		if !reflect.DeepEqual(decoded(t, got), want) {
			t.Fatalf("clean(%s) = %s, want %v", raw, got, want)
		}
	})
}
