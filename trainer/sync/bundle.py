"""The bundle file: versioned, compressed, encrypted to the recipient, signed by the sender (docs/sync.md).

    b"TRAINER-SYNC\\n"            magic
    u32 length + header JSON     {"v": 1, "from", "to", "id", "created", "epk"}
    records: u32 length + ciphertext, the top bit of the length marking the last
    64-byte Ed25519 signature    over SHA-512 of everything before it

The payload is zlib-compressed JSON lines, cut into 64 KiB pieces, each sealed with
ChaCha20-Poly1305 under a key from HKDF-SHA256 over X25519(ephemeral, recipient's key);
each piece's nonce is its number and its associated data the header and the last mark,
so pieces cannot be dropped, reordered or cut off. Writing and reading stream: memory
stays flat whatever the bundle's size. A reader checks the signature over the whole
file first (one pass, nothing decrypted) and only then decrypts (a second pass).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from trainer.errors import TrainerError

MAGIC = b"TRAINER-SYNC\n"
VERSION = 1
PIECE = 64 * 1024
LAST = 0x8000_0000
MAX_RECORD = PIECE * 2


class BundleRefused(TrainerError):
    """A bundle that is damaged, unsigned, not for us, or from no one we trust."""


def _key(shared: bytes, header: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=hashlib.sha256(header).digest(), info=b"trainer-sync-v1").derive(shared)


def _nonce(n: int) -> bytes:
    return b"\0\0\0\0" + n.to_bytes(8, "big")


def _aad(header: bytes, last: bool) -> bytes:
    return header + (b"\1" if last else b"\0")


def write(
    path: Path,
    lines: Iterable[Any],
    *,
    sender: str,
    recipient: str,
    sign_key: Ed25519PrivateKey,
    recipient_box: X25519PublicKey,
    created: str,
) -> int:
    """Write the JSON-able items of `lines` as a bundle; returns the file's size in bytes."""
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    meta = {"v": VERSION, "from": sender, "to": recipient, "id": os.urandom(16).hex(), "created": created, "epk": epk}
    header = json.dumps(meta, sort_keys=True).encode()
    aead = ChaCha20Poly1305(_key(ephemeral.exchange(recipient_box), header))
    digest = hashlib.sha512()
    tmp = path.with_name(path.name + ".partial")
    if not path.parent.is_dir():
        raise TrainerError(f"{path.parent}: no such folder (the bundle {path.name} was not written)")
    try:
        return _write(tmp, path, lines, header, aead, digest, sign_key)
    except OSError as exc:  # a missing folder, a full disk: the bundle's own name, no half file left
        tmp.unlink(missing_ok=True)
        raise TrainerError(f"cannot write the bundle {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write(
    tmp: Path,
    path: Path,
    lines: Iterable[Any],
    header: bytes,
    aead: ChaCha20Poly1305,
    digest: Any,
    sign_key: Ed25519PrivateKey,
) -> int:
    with open(tmp, "wb") as out:

        def put(data: bytes) -> None:
            digest.update(data)
            out.write(data)

        put(MAGIC + struct.pack(">I", len(header)) + header)
        squeeze = zlib.compressobj(6)
        pending = bytearray()
        count = 0

        def seal(piece: bytes, last: bool) -> None:
            nonlocal count
            box = aead.encrypt(_nonce(count), piece, _aad(header, last))
            count += 1
            put(struct.pack(">I", len(box) | (LAST if last else 0)) + box)

        for item in lines:
            pending += squeeze.compress(json.dumps(item, separators=(",", ":"), default=str).encode() + b"\n")
            while len(pending) > PIECE:
                seal(bytes(pending[:PIECE]), False)
                del pending[:PIECE]
        pending += squeeze.flush()
        seal(bytes(pending), True)
        out.write(sign_key.sign(digest.digest()))
    os.replace(tmp, path)
    return path.stat().st_size


def header(path: Path) -> dict[str, Any]:
    """The clear header (who from, to whom, which bundle): read before trusting anything."""
    if not Path(path).is_file():  # a folder, a device, a name mistyped: one line, not a traceback
        raise BundleRefused(f"{path}: no bundle file there")
    try:
        with open(path, "rb") as f:
            return _header(f)[0]
    except OSError as exc:
        raise BundleRefused(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _header(f: BinaryIO) -> tuple[dict[str, Any], bytes]:
    if f.read(len(MAGIC)) != MAGIC:
        raise BundleRefused("not a trainer sync bundle")
    size = f.read(4)
    if len(size) < 4 or struct.unpack(">I", size)[0] > 4096:
        raise BundleRefused("damaged bundle: bad header")
    raw = f.read(struct.unpack(">I", size)[0])
    try:
        meta = json.loads(raw)
        if not isinstance(meta, dict) or not all(k in meta for k in ("v", "from", "to", "id", "epk")):
            raise ValueError
    except ValueError:
        raise BundleRefused("damaged bundle: bad header") from None
    if meta["v"] != VERSION:
        raise BundleRefused(f"bundle format version {meta['v']} is not one this trainer reads ({VERSION})")
    return meta, raw


def _records(f: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    while True:
        size = f.read(4)
        if len(size) < 4:
            raise BundleRefused("damaged bundle: cut off")
        (n,) = struct.unpack(">I", size)
        last, n = bool(n & LAST), n & ~LAST
        if n > MAX_RECORD:
            raise BundleRefused("damaged bundle: bad piece")
        box = f.read(n)
        if len(box) < n:
            raise BundleRefused("damaged bundle: cut off")
        yield size + box, last
        if last:
            return


def verify(path: Path, sender_key: Ed25519PublicKey) -> None:
    """The whole file signed by the sender: one streamed pass, nothing decrypted."""
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        _meta, raw = _header(f)
        digest.update(MAGIC + struct.pack(">I", len(raw)) + raw)
        for record, _last in _records(f):
            digest.update(record)
        signature = f.read(64)
        if len(signature) < 64 or f.read(1):
            raise BundleRefused("damaged or unsigned bundle: no signature at its end")
    try:
        sender_key.verify(signature, digest.digest())
    except InvalidSignature:
        raise BundleRefused("bundle signature does not verify: damaged, or not signed by the sender") from None


def read(path: Path, box_key: X25519PrivateKey) -> Iterator[Any]:
    """The payload's items, decrypted and decompressed as they stream (verify first)."""
    with open(path, "rb") as f:
        meta, raw = _header(f)
        epk = X25519PublicKey.from_public_bytes(bytes.fromhex(meta["epk"]))
        aead = ChaCha20Poly1305(_key(box_key.exchange(epk), raw))
        grow = zlib.decompressobj()
        tail = b""
        for n, (record, last) in enumerate(_records(f)):
            try:
                piece = aead.decrypt(_nonce(n), record[4:], _aad(raw, last))
            except InvalidTag:
                raise BundleRefused("bundle does not decrypt: damaged, or encrypted to another site") from None
            try:
                tail += grow.decompress(piece) + (grow.flush() if last else b"")
            except zlib.error:
                raise BundleRefused("damaged bundle: bad compression") from None
            *whole, tail = tail.split(b"\n")
            if whole:  # a piece's lines parsed in one call: per-line calls cost an import a few percent
                try:
                    items = json.loads(b"[" + b",".join(whole) + b"]")
                except ValueError:
                    raise BundleRefused("damaged bundle: a line that is not JSON") from None
                yield from items
