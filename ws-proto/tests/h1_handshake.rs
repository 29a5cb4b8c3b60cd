//! The opening handshake through h1-proto's client and server state machines, then the switch
//! to WebSocket frames with the bytes h1-proto hands over (RFC 6455 §4 on RFC 9112).
#![cfg(all(feature = "h1", feature = "deflate"))]

use h1_proto::{
    Body, ClientConnection, Config as H1Config, Event as H1Event, Field, Request, Response,
    ServerConnection,
};
use ws_proto::h1::h1_fields;
use ws_proto::{
    ClientHandshake, Config, Connection, DeflateConfig, Event, HandshakeError, ServerHandshake,
};

fn take_transmit(pending: &[u8]) -> Vec<u8> {
    pending.to_vec()
}

#[test]
fn upgrade_through_h1_proto_with_deflate() {
    let config = DeflateConfig::default();
    let hs = ClientHandshake::new(*b"the sample nonce")
        .protocols(&["chat"])
        .deflate(config);
    let ws_fields = hs.request_fields();
    let mut fields = h1_fields(&ws_fields);
    fields.push(Field::new("Host", b"server.example.com"));
    let mut client = ClientConnection::new(H1Config::default());
    client
        .send_request(&Request::new("GET", "/chat", &fields), Body::Empty)
        .unwrap();
    let request_bytes = take_transmit(client.pending_transmit());
    client.consume_transmit(request_bytes.len());

    // Server: h1-proto parses the head, ws-proto validates it and answers 101.
    let mut server = ServerConnection::new(H1Config::default());
    assert_eq!(server.handle_input(&request_bytes), request_bytes.len());
    let accepted = match server.poll_event().unwrap() {
        Some(H1Event::Request(head)) => ServerHandshake::new()
            .protocols(&["chat"])
            .deflate(config)
            .accept_h1(&head)
            .unwrap(),
        other => panic!("expected a request head, got {other:?}"),
    };
    assert!(accepted.fields.contains(&(
        "Sec-WebSocket-Accept".into(),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into()
    )));
    // h1-proto finishes the (body-less) request before the response goes out.
    assert!(matches!(
        server.poll_event(),
        Ok(Some(H1Event::EndOfMessage))
    ));
    let response_fields = h1_fields(&accepted.fields);
    server
        .send_response(
            &Response::new(accepted.status, &response_fields),
            Body::Empty,
        )
        .unwrap();
    server.finish().unwrap();
    let mut to_client = take_transmit(server.pending_transmit());
    server.consume_transmit(to_client.len());
    // After the 101, h1-proto hands the connection over (nothing followed the request here).
    assert!(matches!(
        server.poll_event(),
        Ok(Some(H1Event::Switched(rest))) if rest.is_empty()
    ));
    // The first WebSocket frame rides in the same segment as the 101.
    let mut ws_server = Connection::server(Config::default())
        .with_deflate(accepted.negotiated.deflate.unwrap(), &config)
        .unwrap();
    ws_server.send_text("Hello", &mut to_client).unwrap();

    // Client: h1-proto reads the 101 and hands over what follows it.
    assert_eq!(client.handle_input(&to_client), to_client.len());
    let mut negotiated = None;
    let mut rest = None;
    while let Some(event) = client.poll_event().unwrap() {
        match event {
            H1Event::Informational(head) | H1Event::Response(head) => {
                negotiated = Some(hs.verify_h1_response(&head).unwrap());
            }
            H1Event::Switched(bytes) => {
                rest = Some(bytes.to_vec());
                break;
            }
            _ => {}
        }
    }
    let negotiated = negotiated.expect("a 101 head");
    assert_eq!(negotiated.protocol.as_deref(), Some("chat"));
    let rest = rest.expect("h1-proto switched protocols");
    let mut ws_client = Connection::client(Config::default(), || [1, 2, 3, 4])
        .with_deflate(negotiated.deflate.unwrap(), &config)
        .unwrap();
    assert_eq!(ws_client.handle_input(&rest).unwrap(), rest.len());
    assert_eq!(ws_client.poll_event(), Some(Event::Text("Hello".into())));
}

#[test]
fn version_mismatch_is_answered_426_through_h1_proto() {
    let request = b"GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
    let mut server = ServerConnection::new(H1Config::default());
    server.handle_input(request);
    let err = match server.poll_event().unwrap() {
        Some(H1Event::Request(head)) => ServerHandshake::new().accept_h1(&head).unwrap_err(),
        other => panic!("{other:?}"),
    };
    assert_eq!(err, HandshakeError::Version);
    let (status, fields) = err.server_response();
    let fields = h1_fields(&fields);
    server
        .send_response(&Response::new(status, &fields), Body::Empty)
        .unwrap();
    let wire = String::from_utf8(server.pending_transmit().to_vec()).unwrap();
    assert!(wire.starts_with("HTTP/1.1 426 "), "{wire}");
    assert!(wire.contains("Sec-WebSocket-Version: 13\r\n"), "{wire}");

    // HTTP/1.0 cannot upgrade.
    let mut server = ServerConnection::new(H1Config::default());
    server.handle_input(b"GET / HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    match server.poll_event().unwrap() {
        Some(H1Event::Request(head)) => assert_eq!(
            ServerHandshake::new().accept_h1(&head).unwrap_err(),
            HandshakeError::HttpVersion
        ),
        other => panic!("{other:?}"),
    }
}
