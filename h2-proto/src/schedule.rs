//! The order in which streams with data ready to send are served (RFC 9218 §10, RFC 9113
//! §5.3): lower urgency first; within one urgency, the non-incremental streams one at a time in
//! ascending stream id order (each finishes before the next starts), the incremental ones
//! round-robin, one frame each per turn.
//!
//! When both kinds share an urgency, the non-incremental streams take one turn as a group in
//! the incremental streams' round-robin, so neither kind starves the other (the starvation §10
//! recommends avoiding: a large non-incremental response ahead of small incremental ones, or
//! an incremental one of indeterminate length ahead of a non-incremental one).
//!
//! Only streams that can send are in the schedule: the caller takes a stream out when its
//! flow-control window is exhausted and puts it back when the window opens, so a blocked
//! high-urgency stream never holds up lower ones. Picking is O(1) (eight levels scanned with a
//! bitmask); putting a non-incremental stream back or taking one out is O(streams at its
//! urgency); nothing allocates once the queues have grown to the number of streams. Stream ids
//! are plain `u32`s, so HTTP/3 can use it too.

use alloc::boxed::Box;
use alloc::collections::VecDeque;

use crate::priority::{LOWEST_URGENCY, Priority};

/// In a level's round-robin ring, the turn of the non-incremental group (0 is never a stream
/// id that carries data).
const SEQUENTIAL_TURN: u32 = 0;

const LEVELS: usize = LOWEST_URGENCY as usize + 1;

#[derive(Debug, Default)]
struct Level {
    /// Incremental stream ids and [`SEQUENTIAL_TURN`] (present iff `sequential` is not empty).
    ring: VecDeque<u32>,
    /// Non-incremental stream ids, ascending.
    sequential: VecDeque<u32>,
}

/// Streams with data to send, in RFC 9218 order.
#[derive(Debug, Default)]
pub struct SendSchedule {
    /// Allocated on first use: an idle connection costs one pointer.
    levels: Option<Box<[Level; LEVELS]>>,
    /// Bit `u` set when urgency `u` has a stream.
    occupied: u8,
    len: usize,
}

fn level_of(priority: Priority) -> usize {
    usize::from(priority.urgency.min(LOWEST_URGENCY))
}

impl SendSchedule {
    /// An empty schedule.
    pub const fn new() -> Self {
        Self {
            levels: None,
            occupied: 0,
            len: 0,
        }
    }

    /// How many streams are scheduled.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether no stream is scheduled.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every stream (keeps the memory).
    pub fn clear(&mut self) {
        if let Some(levels) = self.levels.as_deref_mut() {
            for level in levels.iter_mut() {
                level.ring.clear();
                level.sequential.clear();
            }
        }
        self.occupied = 0;
        self.len = 0;
    }

    /// Schedules `id` (not scheduled yet) with `priority`. A stream served by [`pop`](Self::pop)
    /// that still has data goes back with `push`: a non-incremental one keeps its place (it is
    /// still the lowest id, unless a lower one arrived), an incremental one goes to the back.
    pub fn push(&mut self, id: u32, priority: Priority) {
        let u = level_of(priority);
        let levels = self.levels.get_or_insert_with(Default::default);
        let Some(level) = levels.get_mut(u) else {
            return;
        };
        if priority.incremental {
            level.ring.push_back(id);
        } else {
            if level.sequential.is_empty() {
                level.ring.push_back(SEQUENTIAL_TURN);
            }
            // Usually the back (new streams have higher ids) or the front (a stream served
            // and put back): search from the back.
            let at = level
                .sequential
                .iter()
                .rposition(|&s| s < id)
                .map_or(0, |i| i + 1);
            level.sequential.insert(at, id);
        }
        self.occupied |= 1 << u;
        self.len += 1;
    }

    /// Takes out the stream to serve next.
    pub fn pop(&mut self) -> Option<u32> {
        if self.occupied == 0 {
            return None;
        }
        let u = self.occupied.trailing_zeros() as usize;
        let level = self.levels.as_deref_mut()?.get_mut(u)?;
        let id = match level.ring.pop_front()? {
            SEQUENTIAL_TURN => {
                let id = level.sequential.pop_front()?;
                if !level.sequential.is_empty() {
                    level.ring.push_back(SEQUENTIAL_TURN);
                }
                id
            }
            id => id,
        };
        if level.ring.is_empty() {
            self.occupied &= !(1 << u);
        }
        self.len -= 1;
        Some(id)
    }

    /// Takes `id`, scheduled with `priority`, out of the schedule (to reprioritize it);
    /// returns whether it was there.
    pub fn remove(&mut self, id: u32, priority: Priority) -> bool {
        let u = level_of(priority);
        let Some(level) = self.levels.as_deref_mut().and_then(|l| l.get_mut(u)) else {
            return false;
        };
        let removed = if priority.incremental {
            match level
                .ring
                .iter()
                .position(|&s| s == id && s != SEQUENTIAL_TURN)
            {
                Some(i) => level.ring.remove(i).is_some(),
                None => false,
            }
        } else {
            match level.sequential.iter().position(|&s| s == id) {
                Some(i) => {
                    level.sequential.remove(i);
                    if level.sequential.is_empty() {
                        level.ring.retain(|&s| s != SEQUENTIAL_TURN);
                    }
                    true
                }
                None => false,
            }
        };
        if removed {
            if level.ring.is_empty() {
                self.occupied &= !(1 << u);
            }
            self.len -= 1;
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn drain(s: &mut SendSchedule) -> Vec<u32> {
        core::iter::from_fn(|| s.pop()).collect()
    }

    #[test]
    fn urgency_then_id() {
        let mut s = SendSchedule::new();
        s.push(7, Priority::new(3, false));
        s.push(1, Priority::new(5, false));
        s.push(5, Priority::new(3, false));
        s.push(3, Priority::new(0, false));
        assert_eq!(drain(&mut s), [3, 5, 7, 1]);
        assert!(s.is_empty());
    }

    #[test]
    fn served_non_incremental_keeps_its_place() {
        let mut s = SendSchedule::new();
        s.push(1, Priority::DEFAULT);
        s.push(3, Priority::DEFAULT);
        for _ in 0..3 {
            assert_eq!(s.pop(), Some(1));
            s.push(1, Priority::DEFAULT);
        }
        assert_eq!(drain(&mut s), [1, 3]);
    }

    #[test]
    fn incremental_round_robin_with_the_sequential_group_as_one_turn() {
        let mut s = SendSchedule::new();
        let inc = Priority::new(3, true);
        s.push(1, Priority::DEFAULT);
        s.push(3, inc);
        s.push(5, Priority::DEFAULT);
        s.push(7, inc);
        let mut order = Vec::new();
        for _ in 0..8 {
            let id = s.pop().unwrap();
            order.push(id);
            let p = if id == 3 || id == 7 {
                inc
            } else {
                Priority::DEFAULT
            };
            s.push(id, p);
        }
        assert_eq!(order, [1, 3, 7, 1, 3, 7, 1, 3]);
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn remove_and_reprioritize() {
        let mut s = SendSchedule::new();
        s.push(1, Priority::DEFAULT);
        s.push(3, Priority::new(3, true));
        assert!(s.remove(1, Priority::DEFAULT));
        assert!(!s.remove(1, Priority::DEFAULT));
        assert!(!s.remove(3, Priority::DEFAULT));
        s.push(1, Priority::new(0, false));
        assert_eq!(drain(&mut s), [1, 3]);
        s.push(
            9,
            Priority {
                urgency: 200,
                incremental: false,
            },
        ); // out of range: the lowest level
        s.push(11, Priority::new(6, false));
        assert_eq!(drain(&mut s), [11, 9]);
        s.push(13, Priority::DEFAULT);
        s.clear();
        assert_eq!(s.pop(), None);
    }
}
