//! HTTP/2 code points checked against the RFC text itself: frame types (RFC 9113 §6, RFC 9218
//! §7.1), error codes (RFC 9113 §7), SETTINGS parameters (RFC 9113 §6.5.2) and frame flags,
//! read from `../shared/rfc/` — so a typo in `h2_proto` cannot hide behind a matching typo in
//! a test.

use h2_proto::ErrorCode;
use h2_proto::frame::{kind, setting};
use testvectors::shared::rfc_text;

/// `(NAME, value)` for every line `   NAME (0xNN):` of the text.
fn definitions(text: &str) -> Vec<(String, u32)> {
    text.lines()
        .filter_map(|line| {
            let line = line.strip_prefix("   ")?;
            let (name, rest) = line.split_once(" (0x")?;
            let (hex, _) = rest.split_once("):")?;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            {
                return None;
            }
            Some((name.to_string(), u32::from_str_radix(hex, 16).ok()?))
        })
        .collect()
}

/// `(NAME, type)` for every "The NAME frame (type=0xNN)" of the text.
fn frame_types(text: &str) -> Vec<(String, u8)> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.split("(type=0x")
        .zip(flat.split("(type=0x").skip(1))
        .filter_map(|(before, after)| {
            let name = before
                .trim_end()
                .strip_suffix("frame")
                .or_else(|| before.trim_end().strip_suffix("frames"))?;
            let name = name.trim_end().rsplit(' ').next()?.to_string();
            let hex: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
            Some((name, u8::from_str_radix(&hex, 16).ok()?))
        })
        .collect()
}

#[test]
fn error_codes_match_rfc9113_section_7() {
    let Some(text) = rfc_text("rfc9113") else {
        return;
    };
    // The last occurrences: the section bodies, not the table of contents.
    let section7 = &text[text.rfind("\n7.  Error Codes").unwrap()
        ..text.rfind("\n8.  Expressing HTTP Semantics").unwrap()];
    let defs = definitions(section7);
    assert_eq!(defs.len(), 14, "{defs:?}");
    for (name, value) in defs {
        assert_eq!(
            ErrorCode(value).name(),
            Some(name.as_str()),
            "0x{value:02x}"
        );
    }
    assert_eq!(ErrorCode(0xe).name(), None);
}

#[test]
fn settings_match_rfc9113_rfc8441_rfc9218() {
    let Some(text) = rfc_text("rfc9113") else {
        return;
    };
    let section = &text[text.rfind("\n6.5.2.  Defined Settings").unwrap()
        ..text.rfind("\n6.5.3.  Settings Synchronization").unwrap()];
    let defs = definitions(section);
    assert_eq!(defs.len(), 6, "{defs:?}");
    for (name, value) in defs {
        let id = u16::try_from(value).unwrap();
        assert_eq!(format!("SETTINGS_{}", setting::name(id)), name);
    }
    // RFC 8441 §9.1 and RFC 9218 §8 register theirs as "Code: 0xN" then "Name: ...".
    for (rfc, name, id) in [
        (
            "rfc8441",
            "SETTINGS_ENABLE_CONNECT_PROTOCOL",
            setting::ENABLE_CONNECT_PROTOCOL,
        ),
        (
            "rfc9218",
            "SETTINGS_NO_RFC7540_PRIORITIES",
            setting::NO_RFC7540_PRIORITIES,
        ),
    ] {
        let Some(text) = rfc_text(rfc) else { return };
        let registered = format!("Code:  0x{id:x}\n   Name:  {name}");
        let flat = text.replace("\n\n", "\n");
        assert!(flat.contains(&registered), "{rfc}: {registered}");
        assert_eq!(format!("SETTINGS_{}", setting::name(id)), name);
    }
}

#[test]
fn frame_types_match_the_rfc_text() {
    let Some(text) = rfc_text("rfc9113") else {
        return;
    };
    let types = frame_types(&text);
    let mut seen = 0;
    for (name, value) in &types {
        if kind::name(*value) == name.as_str() {
            seen += 1;
        }
    }
    assert_eq!(seen, 10, "all ten RFC 9113 frame types: {types:?}");
    let Some(rfc9218) = rfc_text("rfc9218") else {
        return;
    };
    assert!(
        frame_types(&rfc9218).contains(&("PRIORITY_UPDATE".to_string(), kind::PRIORITY_UPDATE))
    );
}

#[test]
fn flags_match_rfc9113_section_6() {
    use h2_proto::frame::flags;
    let Some(text) = rfc_text("rfc9113") else {
        return;
    };
    let defs = definitions(&text);
    let expect = [
        ("END_STREAM", flags::END_STREAM),
        ("END_HEADERS", flags::END_HEADERS),
        ("PADDED", flags::PADDED),
        ("PRIORITY", flags::PRIORITY),
        ("ACK", flags::ACK),
    ];
    for (name, value) in expect {
        let found: Vec<u32> = defs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .collect();
        assert!(!found.is_empty(), "{name} defined in the RFC");
        assert!(
            found.iter().all(|&v| v == u32::from(value)),
            "{name}: {found:?}"
        );
    }
}
