// Command makev1 wrote testdata/v1, a store as Beredskap wrote it before
// the schema was versioned, for TestOpenVersion1Store. It was run once,
// from a checkout of commit 3757254 (the last layout without meta/schema):
//
//	git archive 3757254 | tar -x -C /tmp/base
//	cp -r internal/store/badger/testdata/makev1 /tmp/base/cmd/
//	cd /tmp/base && go run ./cmd/makev1 /path/to/internal/store/badger/testdata/v1
//
// It loads the demo municipality of 2026-11-23 (as serve does on an empty
// data directory), stores three signed-looking records with their audit
// entries, and writes two accounts the way stores from before usernames
// were normalised did (the username as given, indexed lower-cased) so
// that the migration to schema 2 has something to do. The store is not
// encrypted and holds only invented demo data.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/server"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ctx := context.Background()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return err
	}
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, loc)
	// A cheap hasher: the passwords ("demo") are checked by no test.
	if err := db.MarkInitialized(ctx, true); err != nil {
		return err
	}
	if err := server.SeedDemo(ctx, db, auth.NewHasher(1, 64, 1, 1), now, loc); err != nil {
		return err
	}
	kari, err := db.AccountByUsername(ctx, "kari")
	if err != nil {
		return err
	}
	pts, err := db.PatientsByUnit(ctx, kari.Units[0])
	if err != nil {
		return err
	}
	var recs []store.StoredRecord
	var audit []store.Audit
	for i, id := range []string{"0190b6a2-1111-7000-8000-000000000001", "0190b6a2-1111-7000-8000-000000000002", "0190b6a2-1111-7000-8000-000000000003"} {
		at := now.Add(time.Duration(i) * time.Minute).UTC()
		recs = append(recs, store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: "0190b6a2-2222-7000-8000-000000000001",
			AuthorID: kari.ID, PatientID: pts[i].ID, UnitID: pts[i].UnitID, Seq: uint64(i + 1), CreatedAt: at, Received: at,
			BodyHash: fmt.Sprintf("hash-%d", i+1), State: store.StateNew,
			Body: []byte(fmt.Sprintf(`{"id":%q,"text":"note %d"}`, id, i+1)), Sig: []byte("sig")})
		audit = append(audit, store.Audit{Time: at, Actor: kari.ID, Action: store.AuditSync, Subject: id})
	}
	if err := db.PutRecords(ctx, recs, audit); err != nil {
		return err
	}
	for _, a := range []store.Account{
		{User: care.User{ID: "0190b6a2-3333-7000-8000-000000000001", Username: "Liv.Berg", Name: "Liv Berg", Role: care.RoleWorker, Units: kari.Units}, PasswordHash: kari.PasswordHash},
		{User: care.User{ID: "0190b6a2-3333-7000-8000-000000000002", Username: "ｅｒｉｋ", Name: "Erik Fullwidth", Role: care.RoleWorker, Units: kari.Units}, PasswordHash: kari.PasswordHash},
	} {
		b, _ := json.Marshal(a)
		id, _ := json.Marshal(a.ID)
		err := db.Badger().Update(func(txn *badger.Txn) error {
			if err := txn.Set([]byte("user/"+a.ID), b); err != nil {
				return err
			}
			return txn.Set([]byte("username/"+strings.ToLower(a.Username)), id)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
