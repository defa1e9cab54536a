package vault

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Memory is a Store in memory, for tests and for the server's prerender.
type Memory struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
	// FailCommits, when set, makes Commit fail without writing, to test
	// what callers do when the phone's storage fails.
	FailCommits error
}

// NewMemory returns an empty memory store.
func NewMemory() *Memory {
	m := &Memory{buckets: map[string]map[string][]byte{}}
	for _, b := range Buckets() {
		m.buckets[b] = map[string][]byte{}
	}
	return m
}

func (m *Memory) bucket(name string) (map[string][]byte, error) {
	b, ok := m.buckets[name]
	if !ok {
		return nil, fmt.Errorf("vault: no bucket %q", name)
	}
	return b, nil
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := m.bucket(bucket)
	if err != nil {
		return nil, err
	}
	v, ok := b[key]
	if !ok {
		return nil, ErrNotFound
	}
	return slices.Clone(v), nil
}

// Commit implements Store.
func (m *Memory) Commit(ctx context.Context, writes ...Write) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailCommits != nil {
		return m.FailCommits
	}
	for _, w := range writes {
		if _, err := m.bucket(w.Bucket); err != nil {
			return err
		}
	}
	for _, w := range writes {
		if w.Clear {
			m.buckets[w.Bucket] = map[string][]byte{}
		} else if w.Delete {
			delete(m.buckets[w.Bucket], w.Key)
		} else {
			m.buckets[w.Bucket][w.Key] = slices.Clone(w.Value)
		}
	}
	return nil
}

// List implements Store.
func (m *Memory) List(ctx context.Context, bucket string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := m.bucket(bucket)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(b))
	for k, v := range b {
		out = append(out, Entry{Key: k, Value: slices.Clone(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Clear implements Store.
func (m *Memory) Clear(ctx context.Context, buckets ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range buckets {
		if _, err := m.bucket(name); err != nil {
			return err
		}
	}
	for _, name := range buckets {
		m.buckets[name] = map[string][]byte{}
	}
	return nil
}
