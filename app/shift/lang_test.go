package shift_test

import (
	"context"
	"errors"
	"testing"
	"time"

	ui "beredskap/app/shift"
)

// serverLang is the language saved on the account of username.
func (b *backend) serverLang(t *testing.T, username string) string {
	t.Helper()
	a, err := b.db.AccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return a.Lang
}

func TestChosenLangIsSavedOnTheServer(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	s := newPhone(t, be).shift("anna", "123456")
	if err := s.Prefs().ChooseLang(ctx, "sv"); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Lang() != "sv" || !s.Prefs().LangUnsent() {
		t.Fatalf("after choosing: lang %q, unsent %v", s.Prefs().Lang(), s.Prefs().LangUnsent())
	}
	if err := s.Prefs().SendLang(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().LangUnsent() {
		t.Error("still unsent after SendLang")
	}
	if got := be.serverLang(t, "anna"); got != "sv" {
		t.Fatalf("server has %q, want sv", got)
	}
	// Another phone, whose browser speaks English, follows the account.
	other := newPhone(t, be).open()
	other.Prefs().DefaultLang(ctx, "en-GB")
	if other.Prefs().Lang() != "en" {
		t.Fatalf("browser default: %q", other.Prefs().Lang())
	}
	if err := other.Keyring().Login(ctx, "anna", "demo", "second phone"); err != nil {
		t.Fatal(err)
	}
	if other.Prefs().Lang() != "sv" {
		t.Fatalf("second phone after login: %q, want sv", other.Prefs().Lang())
	}
}

func TestLangChosenOfflineIsSentAtTheNextContact(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	s := ph.shift("anna", "123456")
	online := ph.be
	offline := *be
	offline.url = "http://127.0.0.1:1"

	// Offline and locked, the worker switches to Danish on the unlock page.
	s.Keyring().Lock(ui.LockButton)
	ph.be = &offline
	s = ph.open()
	if err := s.Prefs().ChooseLang(ctx, "da"); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Lang() != "da" {
		t.Fatalf("lang %q right after choosing", s.Prefs().Lang())
	}
	if err := s.Prefs().SendLang(ctx); err != nil {
		t.Fatalf("locked: SendLang %v, want nil (nothing to send with)", err)
	}
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	if err := s.Prefs().SendLang(ctx); !errors.Is(err, ui.ErrOffline) {
		t.Fatalf("offline: SendLang %v, want ErrOffline", err)
	}
	// A reload offline keeps both the language and the pending send.
	s = ph.open()
	if s.Prefs().Lang() != "da" || !s.Prefs().LangUnsent() {
		t.Fatalf("after reload offline: lang %q, unsent %v", s.Prefs().Lang(), s.Prefs().LangUnsent())
	}
	if got := be.serverLang(t, "anna"); got != "nb" {
		t.Fatalf("server changed while offline: %q", got)
	}

	// The network returns: the sync loop sends it without being asked.
	ph.be = online
	s = ph.open()
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	loop, stop := context.WithCancel(ctx)
	defer stop()
	go s.Syncer().RunSync(loop, 20*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for s.Prefs().LangUnsent() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if s.Prefs().LangUnsent() {
		t.Fatal("the sync loop did not send the language")
	}
	if got := be.serverLang(t, "anna"); got != "da" {
		t.Fatalf("server has %q, want da", got)
	}
	if ph.open().Prefs().LangUnsent() {
		t.Error("the sent choice is still marked unsent after a reload")
	}
}

func TestLangChosenBeforeLoginGoesToWhoeverLogsIn(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	s := newPhone(t, be).open()
	if err := s.Prefs().ChooseLang(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().Login(ctx, "kari", "demo", "desk"); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Lang() != "en" {
		t.Fatalf("after login: %q, want the choice made on the login page", s.Prefs().Lang())
	}
	if s.Prefs().LangUnsent() {
		t.Error("still unsent after an online login")
	}
	if got := be.serverLang(t, "kari"); got != "en" {
		t.Fatalf("server has %q, want en", got)
	}
}

func TestLangChosenForAnotherUserIsNotSent(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ph := newPhone(t, be)
	ctx := context.Background()
	ph.shift("anna", "123456")
	offline := *be
	offline.url = "http://127.0.0.1:1"
	online := ph.be
	ph.be = &offline
	s := ph.open()
	if err := s.Keyring().Unlock(ctx, "123456"); err != nil {
		t.Fatal(err)
	}
	if err := s.Prefs().ChooseLang(ctx, "sv"); err != nil {
		t.Fatal(err)
	}
	if err := s.Keyring().Logout(ctx); err != nil {
		t.Fatal(err)
	}
	// Nils takes the phone when the network is back.
	ph.be = online
	s = ph.open()
	if err := s.Keyring().Login(ctx, "nils", "demo", "shared phone"); err != nil {
		t.Fatal(err)
	}
	if s.Prefs().Lang() != "nb" || s.Prefs().LangUnsent() {
		t.Fatalf("nils: lang %q, unsent %v; want his own nb and nothing waiting", s.Prefs().Lang(), s.Prefs().LangUnsent())
	}
	for _, u := range []string{"anna", "nils"} {
		if got := be.serverLang(t, u); got != "nb" {
			t.Errorf("%s's account has %q, want nb", u, got)
		}
	}
}
