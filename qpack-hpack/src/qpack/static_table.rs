//! The QPACK static table (RFC 9204 Appendix A).

use super::index::same_bytes;

/// Number of static table entries (RFC 9204 Appendix A).
pub const LEN: usize = 99;

/// The static table, indexed from 0 (RFC 9204 Appendix A, transcribed from the RFC text; a test
/// in `testvectors` re-reads it from the RFC).
pub static ENTRIES: [(&[u8], &[u8]); LEN] = TABLE;

/// [`ENTRIES`] as a constant, for the lookup tables built at compile time.
const TABLE: [(&[u8], &[u8]); LEN] = [
    (b":authority", b""),
    (b":path", b"/"),
    (b"age", b"0"),
    (b"content-disposition", b""),
    (b"content-length", b"0"),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"referer", b""),
    (b"set-cookie", b""),
    (b":method", b"CONNECT"),
    (b":method", b"DELETE"),
    (b":method", b"GET"),
    (b":method", b"HEAD"),
    (b":method", b"OPTIONS"),
    (b":method", b"POST"),
    (b":method", b"PUT"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"103"),
    (b":status", b"200"),
    (b":status", b"304"),
    (b":status", b"404"),
    (b":status", b"503"),
    (b"accept", b"*/*"),
    (b"accept", b"application/dns-message"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"accept-ranges", b"bytes"),
    (b"access-control-allow-headers", b"cache-control"),
    (b"access-control-allow-headers", b"content-type"),
    (b"access-control-allow-origin", b"*"),
    (b"cache-control", b"max-age=0"),
    (b"cache-control", b"max-age=2592000"),
    (b"cache-control", b"max-age=604800"),
    (b"cache-control", b"no-cache"),
    (b"cache-control", b"no-store"),
    (b"cache-control", b"public, max-age=31536000"),
    (b"content-encoding", b"br"),
    (b"content-encoding", b"gzip"),
    (b"content-type", b"application/dns-message"),
    (b"content-type", b"application/javascript"),
    (b"content-type", b"application/json"),
    (b"content-type", b"application/x-www-form-urlencoded"),
    (b"content-type", b"image/gif"),
    (b"content-type", b"image/jpeg"),
    (b"content-type", b"image/png"),
    (b"content-type", b"text/css"),
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-type", b"text/plain"),
    (b"content-type", b"text/plain;charset=utf-8"),
    (b"range", b"bytes=0-"),
    (b"strict-transport-security", b"max-age=31536000"),
    (
        b"strict-transport-security",
        b"max-age=31536000; includesubdomains",
    ),
    (
        b"strict-transport-security",
        b"max-age=31536000; includesubdomains; preload",
    ),
    (b"vary", b"accept-encoding"),
    (b"vary", b"origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-xss-protection", b"1; mode=block"),
    (b":status", b"100"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"302"),
    (b":status", b"400"),
    (b":status", b"403"),
    (b":status", b"421"),
    (b":status", b"425"),
    (b":status", b"500"),
    (b"accept-language", b""),
    (b"access-control-allow-credentials", b"FALSE"),
    (b"access-control-allow-credentials", b"TRUE"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-allow-methods", b"get"),
    (b"access-control-allow-methods", b"get, post, options"),
    (b"access-control-allow-methods", b"options"),
    (b"access-control-expose-headers", b"content-length"),
    (b"access-control-request-headers", b"content-type"),
    (b"access-control-request-method", b"get"),
    (b"access-control-request-method", b"post"),
    (b"alt-svc", b"clear"),
    (b"authorization", b""),
    (
        b"content-security-policy",
        b"script-src 'none'; object-src 'none'; base-uri 'none'",
    ),
    (b"early-data", b"1"),
    (b"expect-ct", b""),
    (b"forwarded", b""),
    (b"if-range", b""),
    (b"origin", b""),
    (b"purpose", b"prefetch"),
    (b"server", b""),
    (b"timing-allow-origin", b"*"),
    (b"upgrade-insecure-requests", b"1"),
    (b"user-agent", b""),
    (b"x-forwarded-for", b""),
    (b"x-frame-options", b"deny"),
    (b"x-frame-options", b"sameorigin"),
];

/// The static entry at `index`, if there is one.
pub fn get(index: u64) -> Option<(&'static [u8], &'static [u8])> {
    usize::try_from(index)
        .ok()
        .and_then(|i| ENTRIES.get(i))
        .copied()
}

/// Slots of the name hash table (a power of two, well above the 61 distinct names).
const SLOTS: usize = 256;
/// No entry: an empty slot, or the last entry of a name.
const NONE: u8 = u8::MAX;

/// A hash of a name from its length and three of its bytes: enough to spread the table's names
/// over [`SLOTS`], and cheap. Names are never empty.
const fn name_slot(name: &[u8]) -> usize {
    let len = name.len();
    if len == 0 {
        return 0;
    }
    (len * 131 + name[0] as usize * 31 + name[len / 2] as usize * 7 + name[len - 1] as usize)
        % SLOTS
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// For each name, the index of its first entry, open-addressed by [`name_slot`] with linear
/// probing; and for each entry, the next entry with the same name ([`NONE`] after the last).
const fn build_lookup() -> ([u8; SLOTS], [u8; LEN]) {
    let mut slots = [NONE; SLOTS];
    let mut next = [NONE; LEN];
    let mut i = 0;
    while i < LEN {
        let name = TABLE[i].0;
        // Link to the next entry of the same name.
        let mut j = i + 1;
        while j < LEN {
            if same(TABLE[j].0, name) {
                next[i] = j as u8;
                break;
            }
            j += 1;
        }
        // The first entry of each name gets a slot.
        let mut first = true;
        let mut k = 0;
        while k < i {
            if same(TABLE[k].0, name) {
                first = false;
                break;
            }
            k += 1;
        }
        if first {
            let mut slot = name_slot(name);
            while slots[slot] != NONE {
                slot = (slot + 1) % SLOTS;
            }
            slots[slot] = i as u8;
        }
        i += 1;
    }
    (slots, next)
}

/// For each entry, the first entry with the same name.
const fn build_first_of_name() -> [u8; LEN] {
    let mut first = [0u8; LEN];
    let mut i = 0;
    while i < LEN {
        let mut j = 0;
        while !same(TABLE[j].0, TABLE[i].0) {
            j += 1;
        }
        first[i] = j as u8;
        i += 1;
    }
    first
}

static FIRST_OF_NAME: [u8; LEN] = build_first_of_name();

/// The index of the first entry with the name of the entry at `index` (for a [`Match`], the
/// name's own index, whichever entry matched).
pub(crate) fn name_index(index: u32) -> u32 {
    usize::try_from(index)
        .ok()
        .and_then(|i| FIRST_OF_NAME.get(i))
        .map_or(index, |&first| u32::from(first))
}

static FIRST_BY_NAME: [u8; SLOTS] = build_lookup().0;
static NEXT_SAME_NAME: [u8; LEN] = build_lookup().1;

/// The index of the first entry named `name`.
fn first_with_name(name: &[u8]) -> Option<u8> {
    let (Some(&first), Some(&middle), Some(&last)) =
        (name.first(), name.get(name.len() / 2), name.last())
    else {
        return None;
    };
    let hash = name.len() * 131 + usize::from(first) * 31 + usize::from(middle) * 7;
    let mut slot = (hash + usize::from(last)) % SLOTS;
    for _ in 0..SLOTS {
        let index = *FIRST_BY_NAME.get(slot)?;
        let (entry_name, _) = ENTRIES.get(usize::from(index))?;
        if same_bytes(entry_name, name) {
            return Some(index);
        }
        slot = (slot + 1) % SLOTS;
    }
    None
}

/// What the static table offers for a field: an exact match, or an entry with the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// Name and value match the entry at this index.
    Exact(u32),
    /// Only the name matches (the entry with the lowest index).
    Name(u32),
}

/// Looks `name`/`value` up in the static table.
pub fn find(name: &[u8], value: &[u8]) -> Option<Match> {
    let first = first_with_name(name)?;
    let mut index = first;
    while let Some((_, entry_value)) = ENTRIES.get(usize::from(index)) {
        if same_bytes(entry_value, value) {
            return Some(Match::Exact(u32::from(index)));
        }
        index = *NEXT_SAME_NAME.get(usize::from(index))?;
    }
    Some(Match::Name(u32::from(first)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The lookup by definition: the first exact match, else the first entry of the name.
    fn naive_find(name: &[u8], value: &[u8]) -> Option<Match> {
        let exact = ENTRIES.iter().position(|&(n, v)| n == name && v == value);
        let named = ENTRIES.iter().position(|&(n, _)| n == name);
        match (exact, named) {
            (Some(i), _) => Some(Match::Exact(i as u32)),
            (None, Some(i)) => Some(Match::Name(i as u32)),
            _ => None,
        }
    }

    proptest::proptest! {
        #[test]
        fn lookup_agrees_with_a_scan(name in proptest::sample::select(ENTRIES.iter().map(|e| e.0).collect::<Vec<_>>()), value in proptest::sample::select(ENTRIES.iter().map(|e| e.1).collect::<Vec<_>>()), junk: Vec<u8>) {
            proptest::prop_assert_eq!(find(name, value), naive_find(name, value));
            proptest::prop_assert_eq!(find(&junk, value), naive_find(&junk, value));
        }
    }

    #[test]
    fn lookup_agrees_with_the_table() {
        for (index, (name, value)) in ENTRIES.iter().enumerate() {
            let found = find(name, value);
            let Some(Match::Exact(i)) = found else {
                panic!("{index}: {found:?}");
            };
            // Duplicated pairs do not exist in the table, so the match is this entry.
            assert_eq!(i as usize, index);
            let Some(Match::Name(first)) = find(name, b"\x00never a value") else {
                panic!("name of {index}");
            };
            assert_eq!(ENTRIES[first as usize].0, *name);
            assert!(first as usize <= index);
        }
        assert_eq!(find(b"x-unknown", b""), None);
        // Names close to the table's (same length and hash bytes, or a byte off) miss.
        for (name, _) in ENTRIES.iter() {
            let mut near = name.to_vec();
            near[1] ^= 0x20;
            assert_eq!(find(&near, b""), naive_find(&near, b""), "{near:?}");
            near.push(b'x');
            assert_eq!(find(&near, b""), None);
        }
        assert_eq!(find(b"", b""), None);
        for (index, (name, _)) in ENTRIES.iter().enumerate() {
            let first = name_index(index as u32) as usize;
            assert_eq!(ENTRIES[first].0, *name);
            assert!(ENTRIES[..first].iter().all(|(n, _)| n != name));
        }
        assert_eq!(get(98), Some((&b"x-frame-options"[..], &b"sameorigin"[..])));
        assert_eq!(get(99), None);
    }
}
