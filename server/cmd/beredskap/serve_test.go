package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeTLS runs `beredskap serve --tls-cert --tls-key` as an operator
// would and talks HTTPS to it.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	base := startServe(t, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serving at %s, want https", base)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("healthz over HTTPS: %d, tls %v", resp.StatusCode, resp.TLS != nil)
	}
	// ASVS 3.4.1: at least a year.
	hsts := resp.Header.Get("Strict-Transport-Security")
	m := regexp.MustCompile(`(?i)^max-age=(\d+)(;|$)`).FindStringSubmatch(hsts)
	if m == nil {
		t.Fatalf("Strict-Transport-Security = %q, want a max-age", hsts)
	}
	if age, _ := strconv.Atoi(m[1]); age < 365*24*60*60 {
		t.Fatalf("HSTS max-age %d is under a year", age)
	}

	// TLS below 1.2 is refused.
	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
	}}
	if resp, err := old.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a TLS 1.1 client was served")
	}
	// A client that does not trust the certificate gets no answer.
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a client not trusting the certificate was served")
	}
}

// TestServePlainHTTPHasNoHSTS checks that without TLS the server does not
// pin browsers to an HTTPS that is not there.
func TestServePlainHTTPHasNoHSTS(t *testing.T) {
	base := startServe(t)
	if !strings.HasPrefix(base, "http://") {
		t.Fatalf("serving at %s, want http", base)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Fatalf("plain HTTP sends Strict-Transport-Security %q", got)
	}
}

func TestServeTLSFlagsGoTogether(t *testing.T) {
	for _, args := range [][]string{{"--tls-cert", "cert.pem"}, {"--tls-key", "key.pem"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"serve", "--data", t.TempDir()}, args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "go together") {
			t.Fatalf("%v: %v", args, err)
		}
	}
}

// startServe runs `beredskap serve` with extra flags on a free loopback
// port until the test ends, and returns the base URL it announces.
func startServe(t *testing.T, extra ...string) string {
	t.Helper()
	base, _, _ := startServeOut(t, extra...)
	return base
}

// startServeOut is startServe that also gives what serve writes to
// stdout and stderr.
func startServeOut(t *testing.T, extra ...string) (base string, stdout, stderr *lockedBuffer) {
	t.Helper()
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	dir := t.TempDir()
	// The app's files come from a directory, so that the test does not
	// need a built app.wasm.
	static := filepath.Join(dir, "web")
	if err := os.MkdirAll(static, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(static, "app.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--no-demo", "--static-dir", static}, extra...)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		// The store must be closed before its directory is removed.
		if err := <-errc; err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
	})

	announce := regexp.MustCompile(`running at (https?://[^/\s]+)/`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := announce.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr
		}
		select {
		case err := <-errc:
			errc <- err
			t.Fatalf("serve ended before listening: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not announce its address:\n%s\n%s", stdout.String(), stderr.String())
	return "", nil, nil
}

// selfSignedCert writes an ECDSA certificate for the loopback address and
// its key into a temporary directory, and returns a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "beredskap test"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile = filepath.Join(dir, "cert.pem")
	keyFile = filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// lockedBuffer is a bytes.Buffer that the server's goroutine may write
// while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
