//! Time as the IO layer passes it in.
//!
//! Protocol crates never read a clock (ARCHITECTURE.md): every input and timer call takes a
//! `now: Instant`, so a test can drive hours of timers in microseconds and a fuzzer or simulator
//! replays deterministically. [`Duration`] is `core::time::Duration`.

use core::ops::{Add, AddAssign, Sub};

pub use core::time::Duration;

/// A point on a monotonic clock, in nanoseconds since an origin the caller chooses (the start of
/// the process, of a test, or of a simulation).
///
/// Arithmetic saturates instead of panicking: adding past the far end gives [`Instant::MAX`]
/// (about 584 years after the origin, "never" for a timer), and the duration between two
/// instants in the wrong order is zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The origin.
    pub const ZERO: Self = Self { nanos: 0 };
    /// The far end of the clock; timers set here never fire.
    pub const MAX: Self = Self { nanos: u64::MAX };

    /// `nanos` nanoseconds after the origin.
    pub const fn from_nanos(nanos: u64) -> Self {
        Self { nanos }
    }

    /// `micros` microseconds after the origin (saturating).
    pub const fn from_micros(micros: u64) -> Self {
        Self::from_nanos(micros.saturating_mul(1_000))
    }

    /// `millis` milliseconds after the origin (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        Self::from_nanos(millis.saturating_mul(1_000_000))
    }

    /// Nanoseconds since the origin.
    pub const fn as_nanos(self) -> u64 {
        self.nanos
    }

    /// Time elapsed since the origin.
    pub const fn since_origin(self) -> Duration {
        Duration::from_nanos(self.nanos)
    }

    /// `self + duration`, or `None` past [`Instant::MAX`].
    pub fn checked_add(self, duration: Duration) -> Option<Self> {
        let nanos = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_add(nanos).map(Self::from_nanos)
    }

    /// `self - duration`, or `None` before the origin.
    pub fn checked_sub(self, duration: Duration) -> Option<Self> {
        let nanos = u64::try_from(duration.as_nanos()).ok()?;
        self.nanos.checked_sub(nanos).map(Self::from_nanos)
    }

    /// `self + duration`, saturating at [`Instant::MAX`].
    pub fn saturating_add(self, duration: Duration) -> Self {
        self.checked_add(duration).unwrap_or(Self::MAX)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub const fn checked_duration_since(self, earlier: Self) -> Option<Duration> {
        match self.nanos.checked_sub(earlier.nanos) {
            Some(nanos) => Some(Duration::from_nanos(nanos)),
            None => None,
        }
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }

    /// Converts a `std` instant, measured from `origin` (an instant the IO layer took once).
    /// Instants before `origin` become the origin.
    #[cfg(feature = "std")]
    pub fn from_std(origin: std::time::Instant, instant: std::time::Instant) -> Self {
        let elapsed = instant.saturating_duration_since(origin);
        Self::ZERO.saturating_add(elapsed)
    }
}

/// Saturates at [`Instant::MAX`].
impl Add<Duration> for Instant {
    type Output = Self;
    fn add(self, duration: Duration) -> Self {
        self.saturating_add(duration)
    }
}

/// Saturates at [`Instant::MAX`].
impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

/// Saturates at zero.
impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        let t = Instant::from_millis(1_500);
        assert_eq!(t.as_nanos(), 1_500_000_000);
        assert_eq!(t + Duration::from_millis(500), Instant::from_millis(2_000));
        assert_eq!(t - Instant::from_millis(500), Duration::from_secs(1));
        assert_eq!(Instant::from_millis(500) - t, Duration::ZERO);
        assert_eq!(Instant::from_millis(500).checked_duration_since(t), None);
        assert_eq!(t + Duration::MAX, Instant::MAX);
        assert_eq!(Instant::MAX.checked_add(Duration::from_nanos(1)), None);
        assert_eq!(t.checked_sub(Duration::from_secs(2)), None);
        assert_eq!(
            t.checked_sub(Duration::from_millis(1_500)),
            Some(Instant::ZERO)
        );
        assert_eq!(Instant::from_micros(u64::MAX), Instant::MAX);
        let mut u = Instant::ZERO;
        u += Duration::from_micros(3);
        assert_eq!(u.since_origin(), Duration::from_nanos(3_000));
    }

    #[cfg(feature = "std")]
    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "any std instant will do as the origin"
    )]
    fn std_instants_convert_relative_to_an_origin() {
        // No clock is read: an origin is built from an arbitrary std instant.
        let origin = std::time::Instant::now();
        let later = origin + Duration::from_millis(250);
        assert_eq!(Instant::from_std(origin, later), Instant::from_millis(250));
        assert_eq!(Instant::from_std(later, origin), Instant::ZERO);
    }
}
