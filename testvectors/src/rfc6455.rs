//! RFC 6455 (The WebSocket Protocol) examples.

/// §5.7 "Examples": (description, frame bytes in hex, the unmasked payload). The 256-byte and
/// 64 KiB examples give only the header (their data is "[256 bytes of binary data]"); their
/// payload here is the length of zero bytes.
pub const SECTION_5_7_FRAMES: [(&str, &str, &[u8]); 6] = [
    (
        "single-frame unmasked text",
        "81 05 48 65 6c 6c 6f",
        b"Hello",
    ),
    (
        "single-frame masked text",
        "81 85 37 fa 21 3d 7f 9f 4d 51 58",
        b"Hello",
    ),
    ("fragmented unmasked text, first", "01 03 48 65 6c", b"Hel"),
    ("fragmented unmasked text, last", "80 02 6c 6f", b"lo"),
    ("unmasked ping", "89 05 48 65 6c 6c 6f", b"Hello"),
    ("masked pong", "8a 85 37 fa 21 3d 7f 9f 4d 51 58", b"Hello"),
];

/// §5.7: the headers of "256 bytes binary message in a single unmasked frame" and "64KiB binary
/// message in a single unmasked frame", with their payload lengths.
pub const SECTION_5_7_LONG_HEADERS: [(&str, u64); 2] =
    [("82 7E 0100", 256), ("82 7F 0000000000010000", 65_536)];

/// §1.3 and §4.2.2: the sample `Sec-WebSocket-Key` and the `Sec-WebSocket-Accept` it yields.
pub const SAMPLE_KEY: (&str, &str) = ("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
