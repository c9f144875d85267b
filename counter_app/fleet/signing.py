"""Ed25519 keys and signatures for the fleet manifest (the `cryptography` library).

The private key is a PKCS#8 PEM file written with mode 0600; the public key a
PEM (SubjectPublicKeyInfo) file.  Tablets keep the public key as base64 of its
32 raw bytes, which `enroll --key` also accepts typed in directly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from counter_app.errors import CounterAppError


class FleetKeyError(CounterAppError):
    """A key file is missing, unreadable or not an Ed25519 key."""


class SignatureError(CounterAppError):
    """The manifest is unsigned, or its signature does not match the enrolled key."""


def keygen(private_path: Path, public_path: Path, overwrite: bool = False) -> str:
    """Write a new key pair; returns the public key (base64).  Never overwrites
    an existing private key unless asked."""
    if not overwrite:
        for path in (private_path, public_path):
            if path.exists():
                raise FleetKeyError(f"{path} already exists; not overwriting a key "
                                    "(delete it first, or pass --force).")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(private_path, 0o600)  # also when the file existed with wider rights
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_bytes(public_pem)
    return public_b64(key.public_key())


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise FleetKeyError(f"Cannot read the private key {path}: {exc.strerror or exc}.") \
            from exc
    except (ValueError, TypeError) as exc:
        raise FleetKeyError(f"{path} is not a PEM private key.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise FleetKeyError(f"{path} is not an Ed25519 key (make one with "
                            "`counter-app fleet keygen`).")
    return key


def public_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def read_public(value: str) -> str:
    """A public key given as a PEM file path or as base64 text -> base64 of the raw key."""
    path = Path(value).expanduser()
    if path.is_file():
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError as exc:
            raise FleetKeyError(f"{path} is not a PEM public key.") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise FleetKeyError(f"{path} is not an Ed25519 public key.")
        return public_b64(key)
    return public_b64(_public_from_b64(value.strip()))


def _public_from_b64(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise FleetKeyError(f"{text[:60]!r} is neither a public key file nor a base64 "
                            "Ed25519 public key (44 characters).") from exc


def key_id(public: str) -> str:
    """A short fingerprint of a public key (base64) for messages."""
    return hashlib.sha256(base64.b64decode(public)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The detached signature file's content: base64 of the 64-byte signature."""
    return base64.b64encode(key.sign(data)) + b"\n"


def verify(public: str, data: bytes, signature_file: bytes) -> None:
    """SignatureError unless signature_file is a signature of data by the key."""
    try:
        signature = base64.b64decode(signature_file.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("The manifest signature file is not a signature "
                             "(damaged or replaced); nothing was changed.") from exc
    try:
        _public_from_b64(public).verify(signature, data)
    except InvalidSignature as exc:
        raise SignatureError(f"The manifest is not signed by the enrolled key "
                             f"{key_id(public)}: it was altered after signing or signed with "
                             "another key. Nothing was changed.") from exc
