//! RFC 7541 (HPACK) appendix vectors, transcribed from the RFC text (the tests in
//! `tests/rfc7541.rs` re-read the text and compare).

/// One example of Appendix C.2–C.6: a header list, its encoding, and the dynamic table after
/// decoding it (newest entry first).
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The RFC section, e.g. `"C.3.2"`.
    pub section: &'static str,
    /// "Header list to encode", in order.
    pub headers: &'static [(&'static str, &'static str)],
    /// "Hex dump of encoded data".
    pub encoded: &'static str,
    /// "Dynamic Table (after decoding)", entry 1 (the newest) first.
    pub table: &'static [(&'static str, &'static str)],
    /// "Table size" after decoding.
    pub table_size: usize,
}

/// Appendix C.1: `(value, prefix bits, encoding in hex)`.
pub const INTEGERS: [(u64, u8, &str); 3] = [(10, 5, "0a"), (1337, 5, "1f9a0a"), (42, 8, "2a")];

/// Appendix C.2–C.6 in order. C.2.x each start from an empty table; C.3, C.4 (requests) and C.5,
/// C.6 (responses) are sequences of three examples sharing one context. C.3 and C.4 use a table
/// of 4096 octets, C.5 and C.6 one of 256 (SETTINGS_HEADER_TABLE_SIZE = 256).
pub const EXAMPLES: [Example; 16] = [
    Example {
        section: "C.2.1",
        headers: &[("custom-key", "custom-header")],
        encoded: "400a637573746f6d2d6b65790d637573746f6d2d686561646572",
        table: &[("custom-key", "custom-header")],
        table_size: 55,
    },
    Example {
        section: "C.2.2",
        headers: &[(":path", "/sample/path")],
        encoded: "040c2f73616d706c652f70617468",
        table: &[],
        table_size: 0,
    },
    Example {
        section: "C.2.3",
        headers: &[("password", "secret")],
        encoded: "100870617373776f726406736563726574",
        table: &[],
        table_size: 0,
    },
    Example {
        section: "C.2.4",
        headers: &[(":method", "GET")],
        encoded: "82",
        table: &[],
        table_size: 0,
    },
    Example {
        section: "C.3.1",
        headers: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
        ],
        encoded: "828684410f7777772e6578616d706c652e636f6d",
        table: &[(":authority", "www.example.com")],
        table_size: 57,
    },
    Example {
        section: "C.3.2",
        headers: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
            ("cache-control", "no-cache"),
        ],
        encoded: "828684be58086e6f2d6361636865",
        table: &[
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        table_size: 110,
    },
    Example {
        section: "C.3.3",
        headers: &[
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/index.html"),
            (":authority", "www.example.com"),
            ("custom-key", "custom-value"),
        ],
        encoded: "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
        table: &[
            ("custom-key", "custom-value"),
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        table_size: 164,
    },
    Example {
        section: "C.4.1",
        headers: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
        ],
        encoded: "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        table: &[(":authority", "www.example.com")],
        table_size: 57,
    },
    Example {
        section: "C.4.2",
        headers: &[
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
            ("cache-control", "no-cache"),
        ],
        encoded: "828684be5886a8eb10649cbf",
        table: &[
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        table_size: 110,
    },
    Example {
        section: "C.4.3",
        headers: &[
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/index.html"),
            (":authority", "www.example.com"),
            ("custom-key", "custom-value"),
        ],
        encoded: "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
        table: &[
            ("custom-key", "custom-value"),
            ("cache-control", "no-cache"),
            (":authority", "www.example.com"),
        ],
        table_size: 164,
    },
    Example {
        section: "C.5.1",
        headers: &[
            (":status", "302"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("location", "https://www.example.com"),
        ],
        encoded: "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        table: &[
            ("location", "https://www.example.com"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("cache-control", "private"),
            (":status", "302"),
        ],
        table_size: 222,
    },
    Example {
        section: "C.5.2",
        headers: &[
            (":status", "307"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("location", "https://www.example.com"),
        ],
        encoded: "4803333037c1c0bf",
        table: &[
            (":status", "307"),
            ("location", "https://www.example.com"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("cache-control", "private"),
        ],
        table_size: 222,
    },
    Example {
        section: "C.5.3",
        headers: &[
            (":status", "200"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            ("location", "https://www.example.com"),
            ("content-encoding", "gzip"),
            (
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
        ],
        encoded: "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
        table: &[
            (
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
            ("content-encoding", "gzip"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
        ],
        table_size: 215,
    },
    Example {
        section: "C.6.1",
        headers: &[
            (":status", "302"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("location", "https://www.example.com"),
        ],
        encoded: "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        table: &[
            ("location", "https://www.example.com"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("cache-control", "private"),
            (":status", "302"),
        ],
        table_size: 222,
    },
    Example {
        section: "C.6.2",
        headers: &[
            (":status", "307"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("location", "https://www.example.com"),
        ],
        encoded: "4883640effc1c0bf",
        table: &[
            (":status", "307"),
            ("location", "https://www.example.com"),
            ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
            ("cache-control", "private"),
        ],
        table_size: 222,
    },
    Example {
        section: "C.6.3",
        headers: &[
            (":status", "200"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            ("location", "https://www.example.com"),
            ("content-encoding", "gzip"),
            (
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
        ],
        encoded: "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
        table: &[
            (
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            ),
            ("content-encoding", "gzip"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
        ],
        table_size: 215,
    },
];

/// The sequences of Appendix C.3–C.6 as `(section, Huffman coded, table size, examples)`.
pub fn sequences() -> [(&'static str, bool, usize, &'static [Example]); 4] {
    [
        ("C.3", false, 4096, &EXAMPLES[4..7]),
        ("C.4", true, 4096, &EXAMPLES[7..10]),
        ("C.5", false, 256, &EXAMPLES[10..13]),
        ("C.6", true, 256, &EXAMPLES[13..16]),
    ]
}
