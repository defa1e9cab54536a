package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestGoPackage(t *testing.T) {
	pkgs := []string{"runtime", "github.com/maxence-charriere/go-app/v10/pkg/app", "golang.org/x/crypto/argon2",
		"crypto/internal/fips140/nistec", "crypto/internal/fips140/nistec/fiat", "beredskap/app", "beredskap/internal/i18n", "encoding/json"}
	known := map[string]string{}
	for _, p := range pkgs {
		known[mangle(p)] = p
	}
	cases := []struct{ sym, want string }{
		{"runtime.mallocgc", "runtime"},
		{"github.com_maxence_charriere_go_app_v10_pkg_app.(*Engine).Start", "github.com/maxence-charriere/go-app/v10/pkg/app"},
		{"golang.org_x_crypto_argon2.blamkaGeneric", "golang.org/x/crypto/argon2"},
		{"crypto_internal_fips140_nistec_fiat.p256Mul", "crypto/internal/fips140/nistec/fiat"},
		{"crypto_internal_fips140_nistec.P256Point.Add", "crypto/internal/fips140/nistec"},
		{"beredskap_app.(*Shift).Unlock", "beredskap/app"},
		{"beredskap_internal_i18n.T", "beredskap/internal/i18n"},
		{"encoding_json.Marshal", "encoding/json"},
		{"wasm_pc_f_loop", "wasm (other)"},
		{"", "(unnamed)"},
	}
	for _, c := range cases {
		if got := goPackage(c.sym, known); got != c.want {
			t.Errorf("goPackage(%q) = %q, want %q", c.sym, got, c.want)
		}
	}
}

// TestWasmBreakdown builds a small Go program for GOOS=js and checks that
// the breakdown finds its packages and accounts for every code byte.
func TestWasmBreakdown(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\n\nimport \"encoding/json\"\n\nfunc main() { b, _ := json.Marshal(map[string]int{\"a\": 1}); println(string(b)) }\n"), 0o644)
	out := filepath.Join(dir, "m.wasm")
	cmd := exec.Command("go", "build", "-o", out, src)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	shares, total, err := wasmBreakdown(mod, []string{"runtime", "encoding/json", "main"})
	if err != nil {
		t.Fatal(err)
	}
	sum, found := 0, map[string]bool{}
	for _, s := range shares {
		sum += s.Bytes
		found[s.Package] = true
	}
	if sum != total || total > len(mod) || total < len(mod)/2 {
		t.Fatalf("shares sum to %d, total %d, module %d bytes", sum, total, len(mod))
	}
	for _, p := range []string{"runtime", "encoding/json", "main", "(data segments)"} {
		if !found[p] {
			t.Errorf("no %s in %v", p, shares[:min(10, len(shares))])
		}
	}
	if _, _, err := wasmBreakdown([]byte("not wasm"), nil); err == nil {
		t.Error("accepted a non-wasm file")
	}
	if _, _, err := wasmBreakdown(mod[:len(mod)/3], nil); err == nil {
		t.Error("accepted a truncated module")
	}
}
