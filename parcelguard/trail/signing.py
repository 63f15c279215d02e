"""The bureau's Ed25519 signing key for evidence bundles.

PARCELGUARD_SIGNING_KEY is either the path of a PEM private key or the base64 of a 32-byte seed. Without
it (development), a key is generated once under DATA_DIR and a system check warns (trail.W001).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from parcelguard.core.errors import DomainError


class SigningKeyError(DomainError):
    code = "signing_key_invalid"
    status = 500


def configured_key() -> str:
    return str(getattr(settings, "SIGNING_KEY", None) or os.environ.get("PARCELGUARD_SIGNING_KEY", "")).strip()


def development_key_path() -> Path:
    return Path(settings.DATA_DIR) / "signing-key.pem"


def _load(configured: str) -> Ed25519PrivateKey:
    path = Path(configured)
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path} is not an Ed25519 private key.")
        return key
    try:
        seed = base64.b64decode(configured, validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise SigningKeyError("PARCELGUARD_SIGNING_KEY is neither a PEM file nor the base64 of a 32-byte seed.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _development_key() -> Ed25519PrivateKey:
    path = development_key_path()
    if path.is_file():
        return _load(str(path))
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def signing_key() -> Ed25519PrivateKey:
    configured = configured_key()
    return _load(configured) if configured else _development_key()


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: what the bureau publishes so anyone can recognise its bundles."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()
