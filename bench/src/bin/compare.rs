//! Prints one line per comparison: `NAME ours=… peer(crate)=… ratio=…` (see the crate doc).

fn main() {
    for line in bench::varint::compare() {
        println!("{line}");
    }
}
