//! RFC 9218's priority examples, read from the RFC text itself (`../shared/rfc/rfc9218.txt`):
//! every `priority = …` field line of the examples (§4.1, §4.2, §8) is parsed by
//! `h2_proto::priority` and must mean what the surrounding text says.

use h2_proto::priority::{DEFAULT_URGENCY, LOWEST_URGENCY, Params, Priority};
use testvectors::shared::rfc_text;

/// The values of the `   priority = …` example lines, in order.
fn example_values(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("priority = "))
        .collect()
}

#[test]
fn rfc9218_examples_from_the_text() {
    let Some(text) = rfc_text("rfc9218") else {
        return;
    };
    let values = example_values(&text);
    // §4.1 (a CSS file, urgency 0), §4.2 (a JPEG, urgency 5 incremental), §8 (the request
    // u=5, i, and the origin's response u=1).
    assert_eq!(values, ["u=0", "u=5, i", "u=5, i", "u=1"]);
    assert_eq!(
        Priority::parse(values[0].as_bytes()),
        Priority::new(0, false)
    );
    assert_eq!(
        Priority::parse(values[1].as_bytes()),
        Priority::new(5, true)
    );
    // §8: "the intermediary might alter its understanding of the urgency from 5 to 1 […] The
    // incremental value continues to be true".
    let request = Priority::parse(values[2].as_bytes());
    let response = Params::parse(values[3].as_bytes()).unwrap();
    assert_eq!(response.incremental, None, "absent in the response");
    assert_eq!(request.merged(response), Priority::new(1, true));
    assert!(text.contains("incremental value continues to be true"));
}

#[test]
fn rfc9218_defaults_and_range_from_the_text() {
    let Some(text) = rfc_text("rfc9218") else {
        return;
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "between 0 and 7 inclusive, in descending order of priority. The default is 3."
        )
    );
    assert!(flat.contains("The default value of the incremental parameter is false (0)."));
    assert_eq!((DEFAULT_URGENCY, LOWEST_URGENCY), (3, 7));
    assert_eq!(Priority::default(), Priority::new(3, false));
    // "The lowest urgency level (7) is reserved for background tasks".
    assert!(flat.contains("The lowest urgency level (7)"));
}
