//! The QPACK static table (RFC 9204 Appendix A).

/// Number of static table entries (RFC 9204 Appendix A).
pub const LEN: usize = 99;

/// The static table, indexed from 0 (RFC 9204 Appendix A, transcribed from the RFC text; a test
/// in `testvectors` re-reads it from the RFC).
pub static ENTRIES: [(&[u8], &[u8]); LEN] = [
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

/// The static entries whose name is `name`, as (index, value), in index order.
fn with_name(name: &[u8]) -> &'static [(u32, &'static [u8])] {
    match name {
        b":authority" => &[(0, b"")],
        b":path" => &[(1, b"/")],
        b"age" => &[(2, b"0")],
        b"content-disposition" => &[(3, b"")],
        b"content-length" => &[(4, b"0")],
        b"cookie" => &[(5, b"")],
        b"date" => &[(6, b"")],
        b"etag" => &[(7, b"")],
        b"if-modified-since" => &[(8, b"")],
        b"if-none-match" => &[(9, b"")],
        b"last-modified" => &[(10, b"")],
        b"link" => &[(11, b"")],
        b"location" => &[(12, b"")],
        b"referer" => &[(13, b"")],
        b"set-cookie" => &[(14, b"")],
        b":method" => &[
            (15, b"CONNECT"),
            (16, b"DELETE"),
            (17, b"GET"),
            (18, b"HEAD"),
            (19, b"OPTIONS"),
            (20, b"POST"),
            (21, b"PUT"),
        ],
        b":scheme" => &[(22, b"http"), (23, b"https")],
        b":status" => &[
            (24, b"103"),
            (25, b"200"),
            (26, b"304"),
            (27, b"404"),
            (28, b"503"),
            (63, b"100"),
            (64, b"204"),
            (65, b"206"),
            (66, b"302"),
            (67, b"400"),
            (68, b"403"),
            (69, b"421"),
            (70, b"425"),
            (71, b"500"),
        ],
        b"accept" => &[(29, b"*/*"), (30, b"application/dns-message")],
        b"accept-encoding" => &[(31, b"gzip, deflate, br")],
        b"accept-ranges" => &[(32, b"bytes")],
        b"access-control-allow-headers" => {
            &[(33, b"cache-control"), (34, b"content-type"), (75, b"*")]
        }
        b"access-control-allow-origin" => &[(35, b"*")],
        b"cache-control" => &[
            (36, b"max-age=0"),
            (37, b"max-age=2592000"),
            (38, b"max-age=604800"),
            (39, b"no-cache"),
            (40, b"no-store"),
            (41, b"public, max-age=31536000"),
        ],
        b"content-encoding" => &[(42, b"br"), (43, b"gzip")],
        b"content-type" => &[
            (44, b"application/dns-message"),
            (45, b"application/javascript"),
            (46, b"application/json"),
            (47, b"application/x-www-form-urlencoded"),
            (48, b"image/gif"),
            (49, b"image/jpeg"),
            (50, b"image/png"),
            (51, b"text/css"),
            (52, b"text/html; charset=utf-8"),
            (53, b"text/plain"),
            (54, b"text/plain;charset=utf-8"),
        ],
        b"range" => &[(55, b"bytes=0-")],
        b"strict-transport-security" => &[
            (56, b"max-age=31536000"),
            (57, b"max-age=31536000; includesubdomains"),
            (58, b"max-age=31536000; includesubdomains; preload"),
        ],
        b"vary" => &[(59, b"accept-encoding"), (60, b"origin")],
        b"x-content-type-options" => &[(61, b"nosniff")],
        b"x-xss-protection" => &[(62, b"1; mode=block")],
        b"accept-language" => &[(72, b"")],
        b"access-control-allow-credentials" => &[(73, b"FALSE"), (74, b"TRUE")],
        b"access-control-allow-methods" => {
            &[(76, b"get"), (77, b"get, post, options"), (78, b"options")]
        }
        b"access-control-expose-headers" => &[(79, b"content-length")],
        b"access-control-request-headers" => &[(80, b"content-type")],
        b"access-control-request-method" => &[(81, b"get"), (82, b"post")],
        b"alt-svc" => &[(83, b"clear")],
        b"authorization" => &[(84, b"")],
        b"content-security-policy" => {
            &[(85, b"script-src 'none'; object-src 'none'; base-uri 'none'")]
        }
        b"early-data" => &[(86, b"1")],
        b"expect-ct" => &[(87, b"")],
        b"forwarded" => &[(88, b"")],
        b"if-range" => &[(89, b"")],
        b"origin" => &[(90, b"")],
        b"purpose" => &[(91, b"prefetch")],
        b"server" => &[(92, b"")],
        b"timing-allow-origin" => &[(93, b"*")],
        b"upgrade-insecure-requests" => &[(94, b"1")],
        b"user-agent" => &[(95, b"")],
        b"x-forwarded-for" => &[(96, b"")],
        b"x-frame-options" => &[(97, b"deny"), (98, b"sameorigin")],
        _ => &[],
    }
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
    let entries = with_name(name);
    if let Some(&(index, _)) = entries.iter().find(|(_, v)| *v == value) {
        return Some(Match::Exact(index));
    }
    entries.first().map(|&(index, _)| Match::Name(index))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(get(98), Some((&b"x-frame-options"[..], &b"sameorigin"[..])));
        assert_eq!(get(99), None);
    }
}
