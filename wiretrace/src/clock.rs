//! The one place wiretrace reads the clock: the protocol crates take `now` as an argument.

use std::sync::OnceLock;

use wire_codec::Instant;

/// Now, measured from the first call in this process.
#[allow(
    clippy::disallowed_methods,
    reason = "wiretrace is the IO layer: it reads the clock and passes `now` in"
)]
pub fn now() -> Instant {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(std::time::Instant::now);
    Instant::from_std(origin, std::time::Instant::now())
}
