package server

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"beredskap/internal/wire"
)

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsStayOutOfLogs logs in (right and wrong), fetches a bundle and
// syncs, and checks that no password, token, key or patient name reaches
// the log.
func TestSecretsStayOutOfLogs(t *testing.T) {
	var buf lockedBuffer
	e := newEnv(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "not-the-password-xyz"}, nil)
	anna := e.phone("anna")
	anna.sync(anna.sealRecord(anna.note(anna.ownPatient(), "Sensitive note text")))
	e.call("GET", "/api/v1/bundle?token="+anna.login.Token, anna.login.Token, nil, nil)
	out := buf.String()
	if !strings.Contains(out, "login") || !strings.Contains(out, "/api/v1/bundle") {
		t.Fatalf("the log holds nothing to check:\n%s", out)
	}
	secrets := []string{"demo", "not-the-password-xyz", anna.login.Token, "Sensitive note text", "Bearer"}
	for _, p := range anna.bundle.Patients {
		secrets = append(secrets, p.Name, p.Address)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log contains %q", s)
		}
	}
}
