//! The map of `verify` from row id to the row's last recorded image: open addressing over a
//! power-of-two array, filled and read in batches. A million rows make the array far larger than
//! the caches, so nearly every access misses; a batch first touches the home slot of each of its
//! ids (independent loads the processor overlaps) and only then inserts or looks up, so the misses
//! of one batch are waited for once rather than one after another.

use super::Recorded;

/// How many ids a batch touches before it works on them.
pub(super) const BATCH: usize = 16;

/// One slot: a row id (0 while empty) and what is recorded for it. 64 bytes, aligned to a cache
/// line: at the 16-byte alignment of its `u128` a large array starts 16 bytes into a page (where
/// glibc puts a mapped chunk's data), so every slot straddled two lines, and `touch` brought in
/// only the first of them.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Slot {
    id: u128,
    rec: Recorded,
}

const EMPTY: Slot = Slot {
    id: 0,
    rec: Recorded {
        idx: 0,
        image: None,
    },
};

/// Rows' last images by row id. Ids are never 0 ([`super::RowIds::id`]); their low half is a
/// uniform hash, so it indexes the array directly.
pub(super) struct RecordTable {
    slots: Vec<Slot>,
    len: usize,
    /// Rows given to [`RecordTable::record`] and not yet in `slots`: they go in a batch at a
    /// time, and before anything reads the table.
    pending: Vec<(u128, Recorded)>,
}

impl RecordTable {
    /// A table with room for `rows` rows before it grows.
    pub(super) fn with_rows(rows: usize) -> Self {
        Self {
            slots: vec![EMPTY; Self::slots_for(rows)],
            len: 0,
            pending: Vec::with_capacity(BATCH),
        }
    }

    /// Twice as many slots as rows (linear probing stays short below half full).
    fn slots_for(rows: usize) -> usize {
        rows.saturating_mul(2).next_power_of_two().max(16)
    }

    /// How many rows it holds.
    #[cfg(test)]
    fn len(&mut self) -> usize {
        self.flush();
        self.len
    }

    fn home(&self, id: u128) -> usize {
        // The low half of a keyed 128-bit hash; truncation is the point.
        (id as u64 as usize) & (self.slots.len() - 1)
    }

    /// Loads the home slot of every id, so that the cache lines are on their way.
    fn touch(&self, ids: impl Iterator<Item = u128>) {
        let mut seen = 0u128;
        for id in ids {
            seen ^= self.slots[self.home(id)].id;
        }
        std::hint::black_box(seen);
    }

    /// The slot that holds `id`, or the empty slot where it would go.
    fn find(&self, id: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = self.home(id);
        loop {
            let here = self.slots[at].id;
            if here == id || here == 0 {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Records `rec` as the last image of row `id` unless the table holds one of a higher entry
    /// index: the result does not depend on the order in which entries are met.
    pub(super) fn record(&mut self, id: u128, rec: Recorded) {
        self.pending.push((id, rec));
        if self.pending.len() == BATCH {
            self.flush();
        }
    }

    /// Puts the pending rows in.
    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.record_all(&pending);
        self.pending = pending;
        self.pending.clear();
    }

    fn record_all(&mut self, batch: &[(u128, Recorded)]) {
        if (self.len + batch.len()) * 2 > self.slots.len() {
            self.grow(self.len + batch.len());
        }
        self.touch(batch.iter().map(|(id, _)| *id));
        for &(id, rec) in batch {
            let at = self.find(id);
            let slot = &mut self.slots[at];
            if slot.id == 0 {
                *slot = Slot { id, rec };
                self.len += 1;
            } else if rec.idx > slot.rec.idx {
                slot.rec = rec;
            }
        }
    }

    /// Takes out what is recorded for each id of `ids` (at most [`BATCH`]), in order (`None`
    /// where nothing is).
    pub(super) fn take_all(&mut self, ids: &[u128]) -> [Option<Recorded>; BATCH] {
        assert!(ids.len() <= BATCH, "a batch holds at most {BATCH} ids");
        self.flush();
        self.touch(ids.iter().copied());
        let mut out = [None; BATCH];
        for (o, &id) in out.iter_mut().zip(ids) {
            let at = self.find(id);
            if self.slots[at].id == id {
                *o = Some(self.slots[at].rec);
                self.remove_at(at);
            }
        }
        out
    }

    /// Empties slot `at` and moves later slots of its probe run back, so that every id stays
    /// reachable from its home slot without tombstones.
    fn remove_at(&mut self, mut at: usize) {
        let mask = self.slots.len() - 1;
        self.slots[at] = EMPTY;
        self.len -= 1;
        let mut next = (at + 1) & mask;
        while self.slots[next].id != 0 {
            let home = self.home(self.slots[next].id);
            // The slot may move back to `at` unless its home lies cyclically in (at, next].
            let stays = if at <= next {
                at < home && home <= next
            } else {
                at < home || home <= next
            };
            if !stays {
                self.slots[at] = self.slots[next];
                self.slots[next] = EMPTY;
                at = next;
            }
            next = (next + 1) & mask;
        }
    }

    fn grow(&mut self, rows: usize) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; Self::slots_for(rows)]);
        self.len = 0;
        let live: Vec<(u128, Recorded)> = old
            .into_iter()
            .filter(|s| s.id != 0)
            .map(|s| (s.id, s.rec))
            .collect();
        for chunk in live.chunks(BATCH) {
            self.record_all(chunk);
        }
    }

    /// Every row held, in no particular order.
    pub(super) fn into_rows(mut self) -> impl Iterator<Item = (u128, Recorded)> {
        self.flush();
        self.slots
            .into_iter()
            .filter(|s| s.id != 0)
            .map(|s| (s.id, s.rec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// One slot per cache line, and the array starts on a line.
    #[test]
    fn slots_fill_whole_cache_lines() {
        assert_eq!(std::mem::size_of::<Slot>(), 64);
        let table = RecordTable::with_rows(1 << 16);
        assert_eq!(table.slots.as_ptr() as usize % 64, 0);
    }

    fn rec(idx: i64, tag: u8) -> Recorded {
        Recorded {
            idx,
            image: (tag != 0).then_some([tag; 32]),
        }
    }

    /// Against a std map doing the same: ids that collide in their home slot, repeats of one id
    /// with higher and lower indexes, growth past the first size, and removal in any order.
    #[test]
    fn behaves_as_a_map_that_keeps_the_highest_index() {
        let mut table = RecordTable::with_rows(4);
        let mut model: HashMap<u128, Recorded> = HashMap::new();
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut all_ids = Vec::new();
        for round in 0..200 {
            let batch: Vec<(u128, Recorded)> = (0..BATCH)
                .map(|_| {
                    let r = next();
                    // Few distinct low halves: many ids share a home slot.
                    let id = (u128::from(r % 97 + 1) << 64) | u128::from(r % 13 + 1);
                    (
                        id,
                        rec(i64::try_from(next() % 1000).unwrap(), (round % 5) as u8),
                    )
                })
                .collect();
            for &(id, r) in &batch {
                all_ids.push(id);
                model
                    .entry(id)
                    .and_modify(|old| {
                        if r.idx > old.idx {
                            *old = r;
                        }
                    })
                    .or_insert(r);
            }
            for &(id, r) in &batch {
                table.record(id, r);
            }
            assert_eq!(table.len(), model.len());
        }
        all_ids.sort_unstable();
        all_ids.dedup();
        // Take half (plus ids never recorded), then compare what is left.
        let (taken, kept) = all_ids.split_at(all_ids.len() / 2);
        for chunk in taken.chunks(BATCH / 2) {
            let mut ids = chunk.to_vec();
            ids.push(u128::MAX);
            let got = table.take_all(&ids);
            for (i, id) in ids.iter().enumerate() {
                let want = model.remove(id);
                assert_eq!(
                    got[i].map(|r| (r.idx, r.image)),
                    want.map(|r| (r.idx, r.image))
                );
            }
        }
        assert_eq!(table.len(), kept.len());
        let mut left: Vec<(u128, i64, Option<[u8; 32]>)> = table
            .into_rows()
            .map(|(id, r)| (id, r.idx, r.image))
            .collect();
        left.sort_unstable_by_key(|r| r.0);
        let mut want: Vec<(u128, i64, Option<[u8; 32]>)> = model
            .into_iter()
            .map(|(id, r)| (id, r.idx, r.image))
            .collect();
        want.sort_unstable_by_key(|r| r.0);
        assert_eq!(left, want);
    }
}
