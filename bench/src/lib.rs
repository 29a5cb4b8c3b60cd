//! Benchmarks of the workspace against peer implementations.
//!
//! Each comparison runs ours and the peer on identical input in the same process and reports the
//! throughput ratio; `cargo run --release -p bench --bin compare` prints one line per
//! comparison:
//!
//! ```text
//! NAME ours=<number><unit> peer(<crate>)=<number><unit> ratio=<ours ÷ peer, higher is better>
//! ```
//!
//! Criterion benches (`cargo bench -p bench`) cover the same workloads in more detail. Timings
//! never appear in tests.

#[cfg(feature = "h1")]
pub mod h1;
#[cfg(feature = "h2")]
pub mod h2;
#[cfg(feature = "hpack")]
pub mod hpack;
#[cfg(feature = "qpack")]
pub mod qpack;
#[cfg(feature = "quic")]
pub mod quic;
#[cfg(feature = "varint")]
pub mod varint;
#[cfg(feature = "ws")]
pub mod ws;

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One line of the `compare` report.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The comparison's name, e.g. `varint-decode`.
    pub name: String,
    /// The peer crate.
    pub peer: String,
    /// Our throughput, in `unit`.
    pub ours: f64,
    /// The peer's throughput, in `unit`.
    pub theirs: f64,
    /// The unit of both throughputs, e.g. `Mvarint/s`.
    pub unit: String,
}

impl Comparison {
    /// Ours ÷ peer: above 1 means we are faster.
    pub fn ratio(&self) -> f64 {
        self.ours / self.theirs
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ours={:.2}{} peer({})={:.2}{} ratio={:.2}",
            self.name,
            self.ours,
            self.unit,
            self.peer,
            self.theirs,
            self.unit,
            self.ratio()
        )
    }
}

/// How long each measured round lasts, about.
const ROUND: Duration = Duration::from_millis(200);
/// Rounds per side; the fastest counts, as the least disturbed by the rest of the machine.
const ROUNDS: usize = 7;

/// Runs `ours` and `peer` alternately, round by round, and returns their throughputs in items
/// per second, where each call of a closure processes `items_per_call` items. Both closures get
/// the same warm-up and the same number of rounds, so load elsewhere on the machine hits both.
pub fn race(
    items_per_call: u64,
    mut ours: impl FnMut() -> u64,
    mut peer: impl FnMut() -> u64,
) -> (f64, f64) {
    let calls_ours = calls_per_round(&mut ours);
    let calls_peer = calls_per_round(&mut peer);
    let mut best_ours = Duration::MAX;
    let mut best_peer = Duration::MAX;
    for _ in 0..ROUNDS {
        best_ours = best_ours.min(time_calls(calls_ours, &mut ours));
        best_peer = best_peer.min(time_calls(calls_peer, &mut peer));
    }
    let rate = |calls: u64, elapsed: Duration| {
        (calls * items_per_call) as f64 / elapsed.as_secs_f64().max(1e-9)
    };
    (rate(calls_ours, best_ours), rate(calls_peer, best_peer))
}

/// How many calls fill about one round, found by doubling (which also warms up).
fn calls_per_round(f: &mut impl FnMut() -> u64) -> u64 {
    let mut calls = 1u64;
    loop {
        let elapsed = time_calls(calls, f);
        if elapsed >= ROUND / 4 || calls >= 1 << 40 {
            let per_call = elapsed.as_secs_f64() / calls as f64;
            return ((ROUND.as_secs_f64() / per_call.max(1e-12)) as u64).max(1);
        }
        calls *= 2;
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "a benchmark harness is an IO layer: it reads the clock"
)]
fn time_calls(calls: u64, f: &mut impl FnMut() -> u64) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(f());
    }
    start.elapsed()
}

/// A deterministic pseudo-random sequence (xorshift64*), so every run measures the same input.
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A sequence from `seed` (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
