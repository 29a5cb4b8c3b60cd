//! The articles' routes, independent of the HTTP version that carries them.

use std::time::Duration;

use h1_proto::sse::serialize_event;

/// What a route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A whole response.
    Static {
        /// The status code.
        status: u16,
        /// The `content-type`.
        content_type: &'static str,
        /// The body.
        body: Vec<u8>,
    },
    /// The server-sent event stream of [`events`], sent as it is produced.
    Events,
}

/// The `content-type` of `/events`.
pub const EVENT_STREAM: &str = "text/event-stream";
/// The pause between two events of `/events`.
pub const EVENT_INTERVAL: Duration = Duration::from_millis(20);

/// Routes a request: `/` and `/index.html` (a small page; `POST /` counts the body),
/// `/client.js`, `/api/test?i=N` (JSON with the request and connection ids), `/events`
/// (server-sent events), 405 for other methods on those paths, 404 elsewhere.
pub fn route(
    method: &str,
    target: &str,
    body_len: usize,
    request_id: u64,
    connection_id: u64,
) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let get = method == "GET" || method == "HEAD";
    let (status, content_type, body): (u16, &str, Vec<u8>) = match path {
        "/" | "/index.html" if get => (200, "text/html; charset=utf-8", INDEX.into()),
        "/" if method == "POST" => (
            200,
            "text/plain",
            format!("received {body_len} byte(s)\n").into_bytes(),
        ),
        "/client.js" if get => (200, "text/javascript", CLIENT_JS.into()),
        "/api/test" if get => {
            let i = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("i="))
                .and_then(|v| v.parse::<i64>().ok())
                .map_or("null".to_string(), |v| v.to_string());
            let json = format!(
                "{{\"i\":{i},\"request_id\":{request_id},\"connection_id\":{connection_id}}}\n"
            );
            (200, "application/json", json.into_bytes())
        }
        "/events" if get => return Reply::Events,
        "/" | "/index.html" | "/client.js" | "/api/test" | "/events" => {
            (405, "text/plain", b"method not allowed\n".to_vec())
        }
        _ => (404, "text/plain", b"not found\n".to_vec()),
    };
    Reply::Static {
        status,
        content_type,
        body,
    }
}

/// The events of `/events`, each serialized: five ticks with ids, then a `done` event.
pub fn events() -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    for n in 1..=5u32 {
        let mut event = Vec::new();
        let id = n.to_string();
        // Serializing into a Vec cannot fail for these fixed, line-break-free fields.
        let _ = serialize_event(&mut event, None, &format!("tick {n} ✓"), Some(&id), None);
        events.push(event);
    }
    let mut done = Vec::new();
    let _ = serialize_event(&mut done, Some("done"), "bye", None, None);
    events.push(done);
    events
}

const INDEX: &str = "<!doctype html>\n<html><head><title>wiretrace</title></head>\n<body><h1>wiretrace</h1><p>Served by wiretrace.</p>\n<pre id=\"log\"></pre><script src=\"/client.js\"></script></body></html>\n";

const CLIENT_JS: &str = "const log = (s) => document.getElementById('log').textContent += s + '\\n';\nfor (let i = 0; i < 3; i++) {\n  fetch('/api/test?i=' + i).then((r) => r.json()).then((j) => log(JSON.stringify(j)));\n}\nconst events = new EventSource('/events');\nevents.onmessage = (e) => log('event ' + e.lastEventId + ': ' + e.data);\nevents.addEventListener('done', () => events.close());\n";
