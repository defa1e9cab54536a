package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWasmImportsNoServerCode keeps the phone app small and free of server
// code: the wasm build must not link Badger, the store or HTTP test
// servers.
func TestWasmImportsNoServerCode(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list gave %d packages: %s", len(deps), out)
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/dgraph-io/badger", "beredskap/internal/store", "beredskap/server", "net/http/httptest", "beredskap/internal/demo", "beredskap/internal/bundle"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("the wasm app imports %s", d)
			}
		}
	}
}
