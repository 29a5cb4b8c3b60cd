//! Prints one line per comparison: `NAME ours=… peer(crate)=… ratio=…` (see the crate doc).

use bench::Comparison;

fn main() {
    let mut areas: Vec<fn() -> Vec<Comparison>> = Vec::new();
    #[cfg(feature = "varint")]
    areas.push(bench::varint::compare);
    for area in areas {
        for line in area() {
            println!("{line}");
        }
    }
}
