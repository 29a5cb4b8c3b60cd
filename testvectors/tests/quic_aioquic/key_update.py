"""aioquic's key update (RFC 9001 §6.1, RFC 9369 §3.3.2) for each suite and version: from a fixed
1-RTT secret, the next generation's secret ("quic ku" / "quicv2 ku") and a short-header packet
protected with the next key phase (header protection still from the first secret, as aioquic
applies a key update). Prints JSON for tests/quic_aioquic.rs."""

import json
import sys

from aioquic.quic.crypto import CryptoContext, apply_key_phase, next_key_phase
from aioquic.tls import CipherSuite

VERSIONS = [0x00000001, 0x6B3343CF]
SUITES = [
    CipherSuite.AES_128_GCM_SHA256,
    CipherSuite.AES_256_GCM_SHA384,
    CipherSuite.CHACHA20_POLY1305_SHA256,
]
DCID = bytes(range(0xA0, 0xA8))
PN = 0x1234

out = []
for version in VERSIONS:
    for suite in SUITES:
        secret_len = 48 if suite == CipherSuite.AES_256_GCM_SHA384 else 32
        secret = bytes((i * 7 + 3) & 0xFF for i in range(secret_len))
        ctx = CryptoContext()
        ctx.setup(cipher_suite=suite, secret=secret, version=version)
        nxt = next_key_phase(ctx)
        apply_key_phase(ctx, nxt, "test")
        # Short header, key phase 1, 2-byte packet number.
        header = bytes([0x40 | 0x04 | 0x01]) + DCID + PN.to_bytes(2, "big")
        payload = bytes([0x01]) + bytes(40)  # PING, then PADDING
        packet = ctx.encrypt_packet(header, payload, PN)
        out.append(
            {
                "version": version,
                "suite": int(suite),
                "secret": secret.hex(),
                "next_secret": nxt.secret.hex(),
                "packet": packet.hex(),
            }
        )
json.dump(out, sys.stdout)
