package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dgraph-io/badger/v4"

	badgerstore "beredskap/internal/store/badger"
)

// TestAdminRenamesACollidingUsername: a store from before usernames were
// normalised holds "kari" and a fullwidth "ｋａｒｉ", one name after
// normalisation. The admin page warns about them; the admin renames the
// second, and the warning goes.
func TestAdminRenamesACollidingUsername(t *testing.T) {
	srv := startServer(t)
	srv.stop()
	db, err := badgerstore.Open(filepath.Join(srv.dataDir, "db"), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kari, err := db.AccountByUsername(context.Background(), "kari")
	if err != nil {
		t.Fatal(err)
	}
	twin := kari
	twin.ID, twin.Username, twin.Name = "0190b6a2-0000-7000-8000-00000000bbbb", "ｋａｒｉ", "Kari Breidde"
	b, _ := json.Marshal(twin)
	id, _ := json.Marshal(twin.ID)
	err = db.Badger().Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte("user/"+twin.ID), b); err != nil {
			return err
		}
		return txn.Set([]byte("username/"+strings.ToLower(twin.Username)), id)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	srv.start()
	if !strings.Contains(srv.log.String(), "username collision") {
		t.Fatalf("serve did not warn at start:\n%s", srv.log.String())
	}

	desk := officeLogin(t, srv, "admin")
	within(t, desk, 30*time.Second,
		click(sel("office-users")),
		chromedp.WaitVisible(sel("username-collisions")),
	)
	if n := count(t, desk, "collision"); n != 2 {
		t.Fatalf("%d accounts listed as colliding, want 2", n)
	}
	shot(t, desk, "username-collisions")
	row := `[data-testid="collision"][data-username="ｋａｒｉ"] `
	within(t, desk, 30*time.Second,
		chromedp.SendKeys(chromedp.CSS(row+`[data-testid="rename-username"]`), "kari.b"),
		click(chromedp.CSS(row+`[data-testid="rename"]`)),
		chromedp.WaitVisible(sel("admin-flash")),
		chromedp.WaitNotPresent(sel("username-collisions")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-row"][data-username="kari.b"]`)),
	)
}
