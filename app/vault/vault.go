// Package vault is the phone's store: a few named buckets of bytes in
// IndexedDB, written in transactions that the browser must flush to disk
// (durability "strict") before they count as done. What is secret is sealed
// by the caller before it gets here; the vault only keeps bytes.
//
// A memory implementation behind the same interface serves native tests.
package vault

import (
	"context"
	"errors"
)

// Buckets of the phone's store.
const (
	// Meta holds the wrapped data key, the failed-PIN counter, the clock
	// high-water mark and the device's sequence counter.
	Meta = "meta"
	// Public holds what is readable without the PIN: emergency routines and
	// announcements.
	Public = "public"
	// Sealed holds values sealed under the data key: the bundle and the
	// session.
	Sealed = "sealed"
	// Outbox holds records sealed to the server, waiting to be synced. A
	// wipe never touches it.
	Outbox = "outbox"
	// Local holds readable copies of records, sealed under the data key.
	Local = "local"
)

// Buckets lists every bucket.
func Buckets() []string { return []string{Meta, Public, Sealed, Outbox, Local} }

// ErrNotFound means no value is stored under the key.
var ErrNotFound = errors.New("vault: not found")

// ErrQuotaExceeded means the browser refused a commit because the storage
// it allows this site is used up (IndexedDB's QuotaExceededError): the
// transaction was aborted and nothing of it was written.
var ErrQuotaExceeded = errors.New("vault: the phone's storage for the app is full")

// Write is one change in a transaction: a put, a delete when Delete is
// set, or, when Clear is set, the emptying of the whole bucket. The writes
// of a commit apply in order, so a clear followed by puts to the same
// bucket leaves just those puts.
type Write struct {
	Bucket string
	Key    string
	Value  []byte
	Delete bool
	Clear  bool
}

// Put returns a Write that stores value under key.
func Put(bucket, key string, value []byte) Write {
	return Write{Bucket: bucket, Key: key, Value: value}
}

// Del returns a Write that deletes key.
func Del(bucket, key string) Write { return Write{Bucket: bucket, Key: key, Delete: true} }

// ClearBucket returns a Write that empties the bucket, in the same
// transaction as the commit's other writes.
func ClearBucket(bucket string) Write { return Write{Bucket: bucket, Clear: true} }

// Entry is a stored key and value.
type Entry struct {
	Key   string
	Value []byte
}

// Store is the phone's store.
type Store interface {
	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// Commit applies every write in one transaction and returns only once
	// the browser reports it durable: all of them happen, or none.
	Commit(ctx context.Context, writes ...Write) error
	// List returns every entry of a bucket in key order.
	List(ctx context.Context, bucket string) ([]Entry, error)
	// Clear empties the buckets in one transaction.
	Clear(ctx context.Context, buckets ...string) error
}
