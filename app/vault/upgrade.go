//go:build js && wasm

package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// schemaStep is one numbered step of the phone's database schema. The k-th
// step of a list (counting from 1) takes the database from version k-1 to
// version k, and runs only on a phone whose database is older than k: a
// phone several releases behind runs every step it missed, in order, and
// a phone already at k never runs step k again. A step creates or changes
// only what it introduces. The steps run in the browser's upgrade
// transaction, so that they all happen or none does: a step that fails
// leaves the phone's database as it was, at its old version, records
// untouched.
//
// Once released, a step never changes: phones have run it. A new bucket
// or a new record format is a new step at the end of the list.
type schemaStep struct {
	// name says what the step introduces, for errors.
	name string
	// run makes the step's changes through u.
	run func(ctx context.Context, u *upgradeTx) error
}

// upgrades is the schema of the phone's database, step by step; its
// length is the database's version. A bucket added to Buckets needs a step
// that creates it: the vault refuses to open a database that lacks one.
var upgrades = []schemaStep{
	// Version 1, as the first releases made it (their upgrade created
	// these five at once, and phones that ran it are at version 1).
	{name: "the first buckets", run: func(ctx context.Context, u *upgradeTx) error {
		for _, b := range []string{Meta, Public, Sealed, Outbox, Local} {
			if err := u.createStore(b); err != nil {
				return err
			}
		}
		return nil
	}},
}

// upgradeTx changes the database inside the browser's upgrade transaction
// (IndexedDB's versionchange transaction): the only transaction that may
// create or delete object stores.
type upgradeTx struct {
	db js.Value // IDBDatabase
	tx js.Value // its versionchange IDBTransaction
}

// jsCall calls a method and turns a thrown JavaScript exception (which
// syscall/js raises as a panic) into an error.
func jsCall(v js.Value, method string, args ...any) (result js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if jerr, ok := r.(js.Error); ok {
				err = fmt.Errorf("%s: %s", method, domError(jerr.Value))
				return
			}
			panic(r)
		}
	}()
	return v.Call(method, args...), nil
}

// domError names a DOMException (or any thrown value) by name and message.
func domError(v js.Value) string {
	if v.IsUndefined() || v.IsNull() {
		return "unknown error"
	}
	if v.Type() == js.TypeObject && v.Get("name").Type() == js.TypeString {
		return v.Get("name").String() + ": " + v.Get("message").String()
	}
	return js.Global().Get("String").Invoke(v).String()
}

// createStore creates an object store (a bucket).
func (u *upgradeTx) createStore(name string) error {
	if _, err := jsCall(u.db, "createObjectStore", name); err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// rewrite passes every entry of a bucket, in key order, through change
// and stores what it returns in its place (an unchanged value is left as
// it is). It is how a step migrates a record format: inside the upgrade
// transaction, so that no code ever reads a bucket half rewritten. An
// error from change aborts the whole upgrade.
func (u *upgradeTx) rewrite(ctx context.Context, bucket string, change func(key string, value []byte) ([]byte, error)) error {
	st, err := jsCall(u.tx, "objectStore", bucket)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", bucket, err)
	}
	req, err := jsCall(st, "openCursor")
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", bucket, err)
	}
	// The cursor's request fires success once per entry (and once more,
	// with no cursor, at the end). Go runs this goroutine before it hands
	// control back to the browser, so the next request is made while the
	// transaction is still active.
	next := make(chan error, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any { next <- nil; return nil })
	ko := js.FuncOf(func(js.Value, []js.Value) any {
		next <- errors.New(domError(req.Get("error")))
		return nil
	})
	defer ok.Release()
	defer ko.Release()
	req.Set("onsuccess", ok)
	req.Set("onerror", ko)
	for {
		select {
		case err := <-next:
			if err != nil {
				return fmt.Errorf("rewrite %s: %w", bucket, err)
			}
		case <-ctx.Done():
			return fmt.Errorf("rewrite %s: %w", bucket, ctx.Err())
		}
		cur := req.Get("result")
		if cur.IsNull() || cur.IsUndefined() {
			req.Set("onsuccess", js.Null())
			req.Set("onerror", js.Null())
			return nil
		}
		key := cur.Get("key").String()
		old, err := fromJS(cur.Get("value"))
		if err != nil {
			return fmt.Errorf("rewrite %s/%s: %w", bucket, key, err)
		}
		val, err := change(key, old)
		if err != nil {
			return fmt.Errorf("rewrite %s/%s: %w", bucket, key, err)
		}
		if !bytes.Equal(val, old) {
			// A failed update aborts the transaction, and the open
			// reports it.
			if _, err := jsCall(cur, "update", toJS(val)); err != nil {
				return fmt.Errorf("rewrite %s/%s: %w", bucket, key, err)
			}
		}
		if _, err := jsCall(cur, "continue"); err != nil {
			return fmt.Errorf("rewrite %s: %w", bucket, err)
		}
	}
}

// upgrade opens the database at version len(steps), runs in one upgrade
// transaction the steps the phone's copy has not run yet, and closes it
// again. A step's error aborts the transaction (the browser then rolls
// back every step of this upgrade) and is returned.
//
// It works on the raw IndexedDB API because go-indexeddb's upgrade
// callback does not hand out the upgrade transaction, which rewrite
// needs; the vault then opens the upgraded database with go-indexeddb.
func upgrade(ctx context.Context, name string, steps []schemaStep) error {
	if len(steps) == 0 {
		return errors.New("upgrade: no schema steps")
	}
	factory := js.Global().Get("indexedDB")
	if !factory.Truthy() {
		return errors.New("upgrade: this browser has no IndexedDB")
	}
	req, err := jsCall(factory, "open", name, len(steps))
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	opened := make(chan error, 1)
	ran := make(chan error, 1)
	onUpgrade := js.FuncOf(func(this js.Value, args []js.Value) any {
		from := args[0].Get("oldVersion").Int()
		u := &upgradeTx{db: req.Get("result"), tx: req.Get("transaction")}
		// The steps wait for requests, which the browser answers only
		// after this handler returns: run them in their own goroutine.
		go func() {
			err := runSteps(ctx, u, from, steps)
			if err != nil {
				_, _ = jsCall(u.tx, "abort")
			}
			ran <- err
		}()
		return nil
	})
	onSuccess := js.FuncOf(func(js.Value, []js.Value) any {
		// The vault opens its own connection: this one must not hold up
		// a later upgrade.
		req.Get("result").Call("close")
		opened <- nil
		return nil
	})
	onError := js.FuncOf(func(js.Value, []js.Value) any {
		opened <- errors.New(domError(req.Get("error")))
		return nil
	})
	defer onUpgrade.Release()
	defer onSuccess.Release()
	defer onError.Release()
	req.Set("onupgradeneeded", onUpgrade)
	req.Set("onsuccess", onSuccess)
	req.Set("onerror", onError)
	select {
	case err = <-opened:
	case <-ctx.Done():
		return fmt.Errorf("upgrade: %w", ctx.Err())
	}
	// A step's own error says more than the browser's AbortError.
	select {
	case stepErr := <-ran:
		if stepErr != nil {
			return fmt.Errorf("upgrade: %w", stepErr)
		}
	default:
	}
	if err != nil {
		return fmt.Errorf("upgrade: %s", err)
	}
	return nil
}

// runSteps runs step k for every k above the phone's version from.
func runSteps(ctx context.Context, u *upgradeTx, from int, steps []schemaStep) error {
	for k := from + 1; k <= len(steps); k++ {
		if err := steps[k-1].run(ctx, u); err != nil {
			return fmt.Errorf("step %d (%s): %w", k, steps[k-1].name, err)
		}
	}
	return nil
}
