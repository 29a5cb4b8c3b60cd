//! `wiretrace decode hpack` as a user runs it: RFC 7541 Appendix C and hpack-test-case stories.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use testvectors::rfc7541::sequences;

fn wiretrace(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wiretrace"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wiretrace");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn appendix_c_sequences_print_as_name_value_lines() {
    for (section, _, table_size, examples) in sequences() {
        let input: String = examples
            .iter()
            .map(|e| format!("{}\n", e.encoded))
            .collect();
        let size = table_size.to_string();
        let out = wiretrace(
            &["decode", "hpack", "--max-table-size", &size, "-f", "-"],
            &input,
        );
        assert!(out.status.success(), "{section}: {}", text(&out.stderr));
        let expected: Vec<String> = examples
            .iter()
            .map(|e| {
                e.headers
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}\n"))
                    .collect::<String>()
            })
            .collect();
        assert_eq!(text(&out.stdout), expected.join("\n"), "{section}");
    }
}

#[test]
fn json_prints_one_array_per_block() {
    let (_, _, _, examples) = sequences()[1];
    let input: String = examples
        .iter()
        .map(|e| format!("{}\n\n", e.encoded))
        .collect();
    let out = wiretrace(&["decode", "hpack", "--json"], &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "blank input lines are skipped");
    for (line, example) in lines.iter().zip(examples) {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        let got: Vec<(String, String)> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["name"].as_str().unwrap().to_string(),
                    o["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = example
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, expected);
    }
}

#[test]
fn a_single_block_from_arguments() {
    let out = wiretrace(
        &[
            "decode",
            "hpack",
            "8286",
            "8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n"
    );
}

#[test]
fn errors_name_the_rfc_error_and_the_offset_and_fail() {
    // Second block references dynamic index 63, which does not exist.
    let out = wiretrace(&["decode", "hpack"], "82\n82 bf\n");
    assert!(!out.status.success());
    // The blocks before it are printed; nothing of the failing block.
    assert_eq!(text(&out.stdout), ":method: GET\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("COMPRESSION_ERROR"), "{stderr}");
    assert!(stderr.contains("index 63"), "{stderr}");
    assert!(stderr.contains("at byte 1"), "{stderr}");
    // EOS inside a Huffman string.
    let out = wiretrace(&["decode", "hpack"], "0084ffffffff\n");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("RFC 7541 §5.2") && stderr.contains("EOS"),
        "{stderr}"
    );
    // A size update to 101, above --max-table-size.
    let out = wiretrace(&["decode", "hpack", "--max-table-size", "100"], "3f46\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("exceeds SETTINGS_HEADER_TABLE_SIZE 100"));
    // Not hex.
    let out = wiretrace(&["decode", "hpack"], "zz\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("line 1"));
}

/// nghttp2's encoding of story 05 decodes, through the CLI, to the story's headers.
#[test]
fn a_corpus_story_through_the_cli() {
    let Some(path) = testvectors::shared::corpus("hpack-test-case/nghttp2/story_05.json") else {
        return;
    };
    let story: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = story["cases"].as_array().unwrap();
    let input: String = cases
        .iter()
        .map(|c| format!("{}\n", c["wire"].as_str().unwrap()))
        .collect();
    let out = wiretrace(&["decode", "hpack", "--json"], &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len());
    for (line, case) in lines.iter().zip(cases) {
        let got: serde_json::Value = serde_json::from_str(line).unwrap();
        let expected: Vec<serde_json::Value> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let (n, v) = h.as_object().unwrap().iter().next().unwrap();
                serde_json::json!({"name": n, "value": v})
            })
            .collect();
        assert_eq!(got, serde_json::Value::Array(expected));
    }
}
