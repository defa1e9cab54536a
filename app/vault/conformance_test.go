package vault

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// conformance runs the behaviour every Store must have. Natively it runs
// against Memory; under GOOS=js in Chromium (make test runs it with
// wasmbrowsertest) it runs against IndexedDB too.
func conformance(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("get missing", func(t *testing.T) {
		s := open(t)
		if _, err := s.Get(ctx, Meta, "nothing"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("commit across buckets and read back", func(t *testing.T) {
		s := open(t)
		err := s.Commit(ctx,
			Put(Outbox, "r1", []byte{1, 2, 3}),
			Put(Meta, "seq", []byte("7")),
			Put(Local, "r1", []byte{0, 255}),
		)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			bucket, key string
			want        []byte
		}{
			{Outbox, "r1", []byte{1, 2, 3}},
			{Meta, "seq", []byte("7")},
			{Local, "r1", []byte{0, 255}},
		}
		for _, c := range cases {
			got, err := s.Get(ctx, c.bucket, c.key)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("%s/%s = %v, %v", c.bucket, c.key, got, err)
			}
		}
	})

	t.Run("overwrite and delete", func(t *testing.T) {
		s := open(t)
		if err := s.Commit(ctx, Put(Meta, "k", []byte("a"))); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, Put(Meta, "k", []byte("b"))); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, Meta, "k"); string(got) != "b" {
			t.Fatalf("after overwrite: %q", got)
		}
		if err := s.Commit(ctx, Del(Meta, "k")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, Meta, "k"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})

	t.Run("list in key order", func(t *testing.T) {
		s := open(t)
		if err := s.Commit(ctx, Put(Outbox, "b", []byte("2")), Put(Outbox, "a", []byte("1")), Put(Outbox, "c", []byte("3"))); err != nil {
			t.Fatal(err)
		}
		got, err := s.List(ctx, Outbox)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Key != "a" || string(got[2].Value) != "3" {
			t.Fatalf("list = %+v", got)
		}
	})

	t.Run("clear leaves other buckets", func(t *testing.T) {
		s := open(t)
		if err := s.Commit(ctx, Put(Sealed, "bundle", []byte("x")), Put(Outbox, "r", []byte("y"))); err != nil {
			t.Fatal(err)
		}
		if err := s.Clear(ctx, Sealed, Local); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, Sealed, "bundle"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("sealed after clear: %v", err)
		}
		if got, err := s.Get(ctx, Outbox, "r"); err != nil || string(got) != "y" {
			t.Fatalf("outbox after clearing others: %q %v", got, err)
		}
	})

	t.Run("clear in a commit, then puts, in one transaction", func(t *testing.T) {
		s := open(t)
		if err := s.Commit(ctx, Put(Sealed, "old", []byte("x")), Put(Local, "r", []byte("y")), Put(Outbox, "r", []byte("z"))); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, ClearBucket(Sealed), ClearBucket(Local), Put(Sealed, "new", []byte("n")), Put(Meta, "k", []byte("v"))); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			bucket, key string
			want        string // "" for gone
		}{
			{Sealed, "old", ""},
			{Local, "r", ""},
			{Sealed, "new", "n"},
			{Meta, "k", "v"},
			{Outbox, "r", "z"},
		}
		for _, c := range cases {
			got, err := s.Get(ctx, c.bucket, c.key)
			switch {
			case c.want == "" && !errors.Is(err, ErrNotFound):
				t.Errorf("%s/%s after the clear: %q, %v", c.bucket, c.key, got, err)
			case c.want != "" && (err != nil || string(got) != c.want):
				t.Errorf("%s/%s = %q, %v; want %q", c.bucket, c.key, got, err, c.want)
			}
		}
	})

	t.Run("a failed commit clears nothing", func(t *testing.T) {
		s := open(t)
		if err := s.Commit(ctx, Put(Sealed, "old", []byte("x"))); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, ClearBucket(Sealed), Put("nope", "k", []byte("v"))); err == nil {
			t.Fatal("commit to an unknown bucket succeeded")
		}
		if got, err := s.Get(ctx, Sealed, "old"); err != nil || string(got) != "x" {
			t.Fatalf("a failed commit cleared the bucket: %q, %v", got, err)
		}
	})

	t.Run("unknown bucket is an error and writes nothing", func(t *testing.T) {
		s := open(t)
		err := s.Commit(ctx, Put(Meta, "k", []byte("v")), Put("nope", "k", []byte("v")))
		if err == nil {
			t.Fatal("commit to an unknown bucket succeeded")
		}
		if _, err := s.Get(ctx, Meta, "k"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a failed commit left a write behind: %v", err)
		}
	})

	t.Run("values are copies", func(t *testing.T) {
		s := open(t)
		v := []byte("abc")
		if err := s.Commit(ctx, Put(Meta, "k", v)); err != nil {
			t.Fatal(err)
		}
		v[0] = 'X'
		got, _ := s.Get(ctx, Meta, "k")
		got[1] = 'Y'
		again, _ := s.Get(ctx, Meta, "k")
		if string(again) != "abc" {
			t.Fatalf("stored value changed through a caller's slice: %q", again)
		}
	})
}

func TestMemory(t *testing.T) {
	conformance(t, func(t *testing.T) Store { return NewMemory() })
}

func TestMemoryFailingCommits(t *testing.T) {
	m := NewMemory()
	m.FailCommits = errors.New("disk full")
	if err := m.Commit(context.Background(), Put(Outbox, "r", []byte("x"))); err == nil {
		t.Fatal("commit succeeded")
	}
	if _, err := m.Get(context.Background(), Outbox, "r"); !errors.Is(err, ErrNotFound) {
		t.Fatal("failed commit wrote")
	}
}
