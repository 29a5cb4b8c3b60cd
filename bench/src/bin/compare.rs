//! Prints one line per comparison: `NAME ours=… peer(crate)=… ratio=…` (see the crate doc).

use bench::Comparison;

fn main() {
    let mut areas: Vec<fn() -> Vec<Comparison>> = Vec::new();
    #[cfg(feature = "varint")]
    areas.push(bench::varint::compare);
    #[cfg(feature = "hpack")]
    areas.push(bench::hpack::compare);
    #[cfg(feature = "h2")]
    areas.push(bench::h2::compare);
    #[cfg(feature = "h1")]
    areas.push(bench::h1::compare);
    #[cfg(feature = "quic")]
    areas.push(bench::quic::compare);
    #[cfg(feature = "qpack")]
    areas.push(bench::qpack::compare);
    #[cfg(feature = "ws")]
    areas.push(bench::ws::compare);
    for area in areas {
        for line in area() {
            println!("{line}");
        }
    }
}
