"""A stand-in Web Push service on a loopback port, built on real
implementations of the specifications rather than Tertulia's code: each
subscriber gets a P-256 key pair and an auth secret made with `cryptography`;
every message received is decrypted with `http_ece` (RFC 8291 / RFC 8188,
aes128gcm) and its VAPID token (RFC 8292) is checked with `cryptography`
against the key the request names. Paths: `/push/<name>` answers 201,
`/gone/<name>` answers 410 (the subscription is over).
"""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_vapid(authorization, origin):
    """The VAPID header's token, verified; returns (claims, public key)."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = fields["t"], fields["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = unb64url(signature_b64)
    assert len(signature) == 64, "ES256 signatures are r || s, 32 bytes each (RFC 7518 section 3.4)"
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise AssertionError("the VAPID token's signature does not verify") from error
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == origin, claims
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
    assert claims["sub"].startswith(("mailto:", "https:", "http:")), claims
    return claims, key


class Subscriber:
    """What a browser keeps for one push subscription."""

    def __init__(self, receiver, name, gone=False):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.p256dh = b64url(public)
        self.auth_b64 = b64url(self.auth)
        self.endpoint = f"{receiver.origin}/{'gone' if gone else 'push'}/{name}"


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = {}  # path -> list of received pushes
        self.errors = []
        self.subscribers = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    record = receiver.open(self.path, self.headers, body)
                except Exception as error:  # recorded, then shown by the test
                    with receiver.lock:
                        receiver.errors.append(f"{self.path}: {error!r}")
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.messages.setdefault(self.path, []).append(record)
                self.send_response(410 if self.path.startswith("/gone/") else 201)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def subscriber(self, name, gone=False):
        subscriber = Subscriber(self, name, gone)
        self.subscribers[subscriber.endpoint[len(self.origin):]] = subscriber
        return subscriber

    def open(self, path, headers, body):
        subscriber = self.subscribers[path]
        assert headers["Content-Encoding"] == "aes128gcm", headers["Content-Encoding"]
        claims, key = check_vapid(headers["Authorization"], self.origin)
        plaintext = http_ece.decrypt(body, private_key=subscriber.private_key,
                                     auth_secret=subscriber.auth, version="aes128gcm")
        return {
            "payload": json.loads(plaintext),
            "vapid_key": key,
            "claims": claims,
            "ttl": int(headers["TTL"]),
            "urgency": headers.get("Urgency"),
        }

    def received(self, subscriber):
        with self.lock:
            return list(self.messages.get(subscriber.endpoint[len(self.origin):], []))

    def wait_for(self, subscriber, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert not self.errors, self.errors
            got = self.received(subscriber)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{subscriber.endpoint}: {len(self.received(subscriber))} pushes, wanted {count}; "
                             f"errors: {self.errors}")

    def stop(self):
        self.server.shutdown()
