package kept

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"beredskap/internal/store"
)

// Following the store's change feed. Several servers over one store
// (PostgreSQL) each keep a desk; Watch tells a desk only of its own
// server's writes, and the feed (store.ChangeFeed) tells it of every
// server's, its own included: each change names what changed (record
// ids, a finding's id, a plan, a load), which the desk reads from the
// store and applies as Watch would. Applying a change twice, or one
// Watch reported already, changes nothing more: records are upserted as
// the store holds them when read, purged records are dropped once,
// resolutions are set, a plan is read again.
//
// The build reads the feed's head before it scans (build), so that a
// write committed during the build is in the feed after the desk's
// position; Run follows the feed every FollowEvery, and every request
// follows it before it answers, so that a coordinator's next page on
// another server shows what the last one wrote.

const (
	// followPage is how many changes one read of the feed takes.
	followPage = 500
	// readChunk is how many ids one read of what they name takes.
	readChunk = 1000
)

// follow applies the changes the feed holds after the desk's position.
// Without a feed, or before the desk is built (the build starts from the
// head), it does nothing.
func (k *Keeper) follow(ctx context.Context) error {
	if k.feed == nil {
		return nil
	}
	k.followMu.Lock()
	defer k.followMu.Unlock()
	for {
		k.mu.Lock()
		m, pos := k.m, k.pos
		if k.building != nil {
			m = nil
		}
		k.mu.Unlock()
		if m == nil {
			return nil
		}
		changes, next, err := k.feed.Changes(ctx, pos, followPage)
		if errors.Is(err, store.ErrChangesLost) {
			// Pruned past this desk's position (it fell more than a day
			// behind), or a database gone back in time (a failover to an
			// asynchronous standby that lacked the last commits, whose
			// ids the new primary hands out again; a restore): what this
			// desk holds may name records that are gone, its own writes'
			// included, so it starts again from the store.
			k.opt.Logger.Warn("desk: the change feed lost changes; building again", "err", err)
			k.resetFrom(m)
			return nil
		}
		if err != nil {
			return fmt.Errorf("desk: %w", err)
		}
		if len(changes) == 0 {
			return nil
		}
		if err := k.applyChanges(ctx, m, changes, next); err != nil {
			return err
		}
		if len(changes) < followPage {
			return nil
		}
	}
}

// applyChanges reads what changes name and applies it to m, then moves
// the position to next, unless m was replaced meanwhile (a load, a new
// build: that build's head is past these changes).
func (k *Keeper) applyChanges(ctx context.Context, m *model, changes []store.Change, next uint64) error {
	var recIDs, resIDs []string
	gone := map[string]bool{}
	plan := false
	for _, c := range changes {
		switch c.Kind {
		case store.ChangeRecords:
			recIDs = append(recIDs, c.IDs...)
		case store.ChangePurge:
			for _, id := range c.IDs {
				gone[id] = true
			}
		case store.ChangePlan:
			plan = true
		case store.ChangeResolution:
			resIDs = append(resIDs, c.IDs...)
		case store.ChangeLoad:
			// Everything changed: what follows is read by the build.
			k.resetFrom(m)
			return nil
		default:
			// A kind this version does not know (a newer node wrote it):
			// the only safe answer is to read everything again.
			k.opt.Logger.Warn("desk: unknown change in the feed; building again", "kind", c.Kind, "seq", c.Seq)
			k.resetFrom(m)
			return nil
		}
	}
	// Read in slices: a page of changes after a long lag can name many
	// thousands of records.
	var recs []store.StoredRecord
	for part := range slices.Chunk(dedupe(recIDs), readChunk) {
		got, err := k.feed.RecordsByID(ctx, part)
		if err != nil {
			return fmt.Errorf("desk: read changed records: %w", err)
		}
		recs = append(recs, got...)
	}
	res := map[string]store.FindingResolution{}
	for part := range slices.Chunk(dedupe(resIDs), readChunk) {
		got, err := k.feed.ResolutionsByID(ctx, part)
		if err != nil {
			return fmt.Errorf("desk: read resolutions: %w", err)
		}
		maps.Copy(res, got)
	}
	k.mu.Lock()
	if k.m != m || k.building != nil {
		k.mu.Unlock()
		return nil
	}
	for _, r := range recs {
		if !gone[r.ID] {
			m.upsert(r, true)
		}
	}
	if len(gone) > 0 {
		m.forget(gone)
	}
	for id, r := range res {
		m.resolutions[id] = r
		m.resolve(id)
	}
	if plan {
		k.planStale = true
	}
	k.pos = next
	k.mu.Unlock()
	k.poke()
	return nil
}

// resetFrom forgets the desk if it is still m.
func (k *Keeper) resetFrom(m *model) {
	k.mu.Lock()
	if k.m == m && k.building == nil {
		k.m, k.pending = nil, nil
	}
	k.mu.Unlock()
	k.poke()
}

// forget drops the kept records whose ids are in ids (purged).
func (m *model) forget(ids map[string]bool) {
	for i := range m.recs {
		c := &m.recs[i]
		if !c.has(flagPurged) && ids[m.idString(c.id)] {
			m.remove(int32(i))
		}
	}
}

func dedupe(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
