package shift

import (
	"context"
	"fmt"

	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
)

// metaLangUnsent holds a language chosen on this phone that the server has
// not saved yet; it is sent at the next contact with the server.
const metaLangUnsent = "lang_unsent"

// langChoice is a language the user chose on this phone. By is the user it
// was chosen for; empty when it was chosen before anyone logged in, and
// then it goes to whoever logs in next.
type langChoice struct {
	Lang string `json:"lang"`
	By   string `json:"by,omitempty"`
}

// ChooseLang is the user choosing a language in the app: the pages change
// at once, the choice is kept on the phone for offline use, and it waits
// there to be saved on the server (SendLang) so that the next login, on
// any phone, shows the same language.
func (s *Prefs) ChooseLang(ctx context.Context, lang string) error {
	lang = i18n.Pick(lang)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	c := langChoice{Lang: lang, By: s.userIDLocked()}
	s.lang, s.langUnsent = lang, &c
	s.mu.Unlock()
	s.browser.ShowLang(lang)
	s.notify()
	w, err := putJSON(vault.Meta, metaLangUnsent, c)
	if err != nil {
		return fmt.Errorf("choose language: %w", err)
	}
	if err := s.vault.Commit(ctx, vault.Put(vault.Meta, metaLang, []byte(lang)), w); err != nil {
		return fmt.Errorf("choose language: %w", err)
	}
	return nil
}

// LangUnsent reports whether a language chosen on this phone still waits
// to be saved on the server.
func (s *Prefs) LangUnsent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.langUnsent != nil
}

// SendLang saves the language chosen on this phone on the server, when
// there is a session to send it with. Offline or locked, the choice keeps
// waiting; a choice made for another user than the one logged in now is
// dropped.
func (s *Prefs) SendLang(ctx context.Context) error {
	s.mu.Lock()
	c := s.langUnsent
	var token, userID string
	switch {
	case s.sess != nil:
		token, userID = s.sess.Token, s.sess.User.ID
	case s.pending != nil:
		token, userID = s.pending.Token, s.pending.User.ID
	}
	s.mu.Unlock()
	if c == nil || token == "" {
		return nil
	}
	if c.By == "" || c.By == userID {
		err := s.api.SetLang(ctx, token, c.Lang)
		s.observe(err)
		if err != nil {
			return fmt.Errorf("send language: %w", err)
		}
	}
	return s.clearLangChoice(ctx, *c)
}

// clearLangChoice forgets the waiting choice c, unless a newer one has
// replaced it meanwhile.
func (s *core) clearLangChoice(ctx context.Context, c langChoice) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	same := s.langUnsent != nil && *s.langUnsent == c
	if same {
		s.langUnsent = nil
	}
	s.mu.Unlock()
	if !same {
		return nil
	}
	defer s.notify()
	if err := s.vault.Commit(ctx, vault.Del(vault.Meta, metaLangUnsent)); err != nil {
		return fmt.Errorf("send language: %w", err)
	}
	return nil
}

// adoptLang follows the language saved on the user's account at login,
// unless the user chose one on this phone that the server has not had yet:
// that choice is newer, and is sent now instead.
func (s *core) adoptLang(ctx context.Context, u care.User) {
	s.mu.Lock()
	c := s.langUnsent
	s.mu.Unlock()
	if c != nil && (c.By == "" || c.By == u.ID) {
		_ = s.pr.SendLang(ctx) // on failure it waits for the next contact
		return
	}
	if c != nil {
		_ = s.clearLangChoice(ctx, *c)
	}
	if u.Lang != "" {
		s.pr.SetLang(ctx, u.Lang)
	}
}

// userIDLocked is the user the phone is working for: logged in, or whose
// locked shift it holds. s.mu must be held.
func (s *core) userIDLocked() string {
	switch {
	case s.sess != nil:
		return s.sess.User.ID
	case s.pending != nil:
		return s.pending.User.ID
	case s.owner != nil:
		return s.owner.UserID
	}
	return ""
}

// Lang is the language to show.
func (s *Prefs) Lang() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

// SetLang chooses the language and remembers it on the phone.
func (s *Prefs) SetLang(ctx context.Context, lang string) {
	lang = i18n.Pick(lang)
	s.mu.Lock()
	s.lang = lang
	s.mu.Unlock()
	s.browser.ShowLang(lang)
	_ = s.vault.Commit(ctx, vault.Put(vault.Meta, metaLang, []byte(lang)))
	s.notify()
}

// DefaultLang takes the browser's language when the user has not chosen
// one on this phone.
func (s *Prefs) DefaultLang(ctx context.Context, browser string) {
	if _, err := s.vault.Get(ctx, vault.Meta, metaLang); err == nil {
		return
	}
	s.mu.Lock()
	s.lang = i18n.Pick(browser)
	s.mu.Unlock()
	s.browser.ShowLang(s.Lang())
	s.notify()
}
