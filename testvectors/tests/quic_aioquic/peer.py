"""Makes aioquic produce the first flight of a QUIC handshake in memory (no sockets).

Usage: peer.py VERSION   (1 or 2)

Prints JSON: the client's first datagrams (hex), the server's answer to them (hex), the
client's original Destination Connection ID, and both sides' TLS key logs (SSLKEYLOGFILE
format), for tests/quic_aioquic.rs.
"""

import datetime
import io
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.packet import QuicProtocolVersion


def certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def main():
    version = {
        "1": QuicProtocolVersion.VERSION_1,
        "2": QuicProtocolVersion.VERSION_2,
    }[sys.argv[1]]
    client_log, server_log = io.StringIO(), io.StringIO()
    client_config = QuicConfiguration(
        is_client=True,
        alpn_protocols=["h3"],
        server_name="localhost",
        supported_versions=[version],
        secrets_log_file=client_log,
        max_datagram_frame_size=1200,
    )
    client_config.verify_mode = 0
    client = QuicConnection(configuration=client_config)
    now = 1.0
    client.connect(("127.0.0.1", 4433), now=now)
    client_datagrams = [data for data, _ in client.datagrams_to_send(now=now)]

    cert, key = certificate()
    server_config = QuicConfiguration(
        is_client=False,
        alpn_protocols=["h3"],
        supported_versions=[version],
        secrets_log_file=server_log,
    )
    server_config.certificate = cert
    server_config.private_key = key
    first = client_datagrams[0]
    # The client's first Destination Connection ID: after flags (1), version (4), length (1).
    odcid = first[6 : 6 + first[5]]
    server = QuicConnection(configuration=server_config, original_destination_connection_id=odcid)
    for data in client_datagrams:
        server.receive_datagram(data, ("127.0.0.1", 50000), now=now)
    server_datagrams = [data for data, _ in server.datagrams_to_send(now=now)]

    # The client's answer (Handshake finished, 1-RTT) once it has the server's flight.
    for data in server_datagrams:
        client.receive_datagram(data, ("127.0.0.1", 4433), now=now)
    client_second = [data for data, _ in client.datagrams_to_send(now=now)]

    print(
        json.dumps(
            {
                "version": int(version),
                "original_dcid": odcid.hex(),
                "client": [d.hex() for d in client_datagrams],
                "server": [d.hex() for d in server_datagrams],
                "client_second": [d.hex() for d in client_second],
                "client_keylog": client_log.getvalue(),
                "server_keylog": server_log.getvalue(),
            }
        )
    )


if __name__ == "__main__":
    main()
