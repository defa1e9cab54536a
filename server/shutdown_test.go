package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestShutdownCutsOffBlockedRequests: a request that does not finish
// within the shutdown timeout does not hold the shutdown: its connection
// is closed, its context cancelled, and Serve returns only after its
// handler has, saying that requests were cut off.
func TestShutdownCutsOffBlockedRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, handlerDone := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done() // blocks until the connection is cut
		close(handlerDone)
	})
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serveUntil(ctx, &http.Server{Handler: h}, ln, "", "", 50*time.Millisecond, time.Minute)
	}()
	clientDone := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
		}
		clientDone <- err
	}()
	<-entered
	stop()
	err = <-served
	select {
	case <-handlerDone:
	default:
		t.Fatal("Serve returned while the blocked handler still ran")
	}
	if err == nil || !strings.Contains(err.Error(), "cut off") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Serve = %v, want the cut-off requests named", err)
	}
	if err := <-clientDone; err == nil {
		t.Fatal("the cut-off request got an answer")
	}
}

// TestShutdownWaitsForQuickRequests: a request that finishes within the
// timeout is answered, and Serve returns nil.
func TestShutdownWaitsForQuickRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("ok"))
	})
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveUntil(ctx, &http.Server{Handler: h}, ln, "", "", time.Minute, time.Minute) }()
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-entered
	stop()
	close(release)
	if code := <-answered; code != 200 {
		t.Fatalf("the request in progress got %d", code)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
}
