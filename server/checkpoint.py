"""Signed checkpoints of the audit chain, and the verifier that needs only files and a public key.

Owns the checkpoint signing key (Ed25519, a key of its own in ``<data dir>/audit_keys/``, never
the SSH host key), the checkpoint records and :func:`verify_rows`, the chain check shared by the
local verifier and the offline one (:mod:`server.audit_export`). Invariant kept: **tamper-evident
records (5)**, stretched beyond the machine: the chain head is signed on a schedule and on demand;
each signed checkpoint is written twice — as a line of ``audit-checkpoints.jsonl`` in the data
dir (outside the database, append only) and as an ``audit_checkpoint`` row in the chain itself.
Someone holding only the public key and exported files can then prove every row up to the newest
checkpoint: an edited row breaks its hash, a deleted or reordered row breaks the ``prev_hash``
links or the ids, and a chain cut short of a checkpoint (truncation after it was signed) no longer
holds the row the checkpoint names. Rows after the newest checkpoint are reported as not yet
signed. What it cannot prove: someone who has the private key (root on the server) can sign
anything — copy the public key off the machine and keep checkpoints (or exports) there too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.audit import GENESIS, AuditLog, canonical_json, row_hash, sanitize
from server.store import Store, utc_now

log = logging.getLogger("slate.checkpoint")

KEY_DIR = "audit_keys"
PRIVATE_NAME = "checkpoint_ed25519"
PUBLIC_NAME = "checkpoint_ed25519.pub"
CHECKPOINTS_NAME = "audit-checkpoints.jsonl"
CHECKPOINT_KIND = "audit_checkpoint"
_CHECKPOINT_CONTEXT = b"slate-audit-checkpoint-v1\n"
MANIFEST_CONTEXT = b"slate-audit-manifest-v1\n"
"""Signatures are made over a context prefix + the bytes, so one can't pass for the other."""


# -- the key ------------------------------------------------------------------------------------


def key_paths(data_dir: Path) -> tuple[Path, Path]:
    """``(private, public)`` key file paths in the data dir."""
    folder = Path(data_dir) / KEY_DIR
    return folder / PRIVATE_NAME, folder / PUBLIC_NAME


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The data dir's checkpoint signing key, generated (0600, folder 0700) on first use."""
    private, public = key_paths(data_dir)
    if private.exists():
        fd = os.open(private, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{private} is not an Ed25519 private key")
        if not public.exists():
            _write_public(public, key.public_key())
        return key
    private.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(private.parent, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = private.with_name(private.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, private)
    _write_public(public, key.public_key())
    return key


def _write_public(path: Path, key: Ed25519PublicKey) -> None:
    path.write_bytes(public_pem(key))
    os.chmod(path, 0o644)


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo): what ``verify --key`` reads."""
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint: the first 16 hex digits of sha256 of the raw public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read a public key file: PEM (as ``slate audit key`` prints) or OpenSSH ``ssh-ed25519``.

    Raises:
        ValueError: the file is missing or holds no Ed25519 public key.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the public key {path}: {exc.strerror}") from None
    key: Any
    try:
        if data.lstrip().startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data.strip())
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a public key file: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def sign_bytes(key: Ed25519PrivateKey, context: bytes, data: bytes) -> str:
    """Base64 Ed25519 signature of ``context + data``."""
    return base64.b64encode(key.sign(context + data)).decode("ascii")


def signature_ok(key: Ed25519PublicKey, context: bytes, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``key``'s signature of ``context + data``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), context + data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# -- checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: "row ``id`` of the audit chain has hash ``hash``" at time ``ts``."""

    id: int
    hash: str
    ts: str
    key_id: str
    signature: str

    def body(self) -> bytes:
        """The signed bytes (canonical JSON of everything but the signature)."""
        return canonical_json(
            {"v": 1, "id": self.id, "hash": self.hash, "ts": self.ts, "key": self.key_id}
        ).encode("ascii")

    def valid(self, key: Ed25519PublicKey) -> bool:
        """Whether the signature is ``key``'s."""
        return signature_ok(key, _CHECKPOINT_CONTEXT, self.body(), self.signature)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "ts": self.ts, "key_id": self.key_id,
                "signature": self.signature}

    @classmethod
    def from_dict(cls, value: Any) -> Checkpoint:
        """Parse a stored checkpoint.

        Raises:
            ValueError: not a checkpoint record.
        """
        if not isinstance(value, dict):
            raise ValueError("not a checkpoint object")
        try:
            cp = cls(int(value["id"]), str(value["hash"]), str(value["ts"]),
                     str(value["key_id"]), str(value["signature"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError("a checkpoint lacks id, hash, ts, key_id or signature") from None
        return cp


def sign_checkpoint(key: Ed25519PrivateKey, row_id: int, digest: str) -> Checkpoint:
    """Sign "row ``row_id`` has hash ``digest``" now."""
    unsigned = Checkpoint(row_id, digest, utc_now(), key_id(key.public_key()), "")
    signature = sign_bytes(key, _CHECKPOINT_CONTEXT, unsigned.body())
    return Checkpoint(row_id, digest, unsigned.ts, unsigned.key_id, signature)


def checkpoints_path(data_dir: Path) -> Path:
    """The append-only file of signed checkpoints in the data dir."""
    return Path(data_dir) / CHECKPOINTS_NAME


def read_checkpoints(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints in a JSON Lines file, and a problem per line that is not one."""
    out: list[Checkpoint] = []
    problems: list[str] = []
    try:
        text = Path(path).read_text("utf-8", "replace")
    except FileNotFoundError:
        return out, problems
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Checkpoint.from_dict(json.loads(line)))
        except ValueError as exc:
            problems.append(f"{path.name} line {number}: {exc}")
    return out, problems


def make_checkpoint(
    store: Store, audit: AuditLog, data_dir: Path, *, actor: str | None, reason: str
) -> Checkpoint | None:
    """Sign the chain's newest row; record it in the checkpoints file and as a chain row.

    Args:
        store: the store.
        audit: its audit log (the checkpoint row is appended through it).
        data_dir: where the key and the checkpoints file live.
        actor: who asked (``os:root``, ``schedule``).
        reason: ``"on demand"`` or ``"schedule"`` (stored in the row).

    Returns:
        The checkpoint, or None when the chain is empty.
    """
    key = load_or_create_key(data_dir)
    last = store.query("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
    if not last:
        return None
    cp = sign_checkpoint(key, int(last[0][0]), str(last[0][1]))
    path = checkpoints_path(data_dir)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o644)
    try:
        os.write(fd, (json.dumps(cp.to_dict(), sort_keys=True) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    detail: dict[str, Any] = {
        "covers_id": cp.id, "covers_hash": cp.hash, "signed_at": cp.ts, "key_id": cp.key_id,
        "signature": cp.signature,
    }
    audit.append(CHECKPOINT_KIND, actor=actor, reason=reason, **detail)
    return cp


def checkpoint_from_row(detail: dict[str, Any]) -> Checkpoint | None:
    """The checkpoint an ``audit_checkpoint`` row carries, or None if it is malformed."""
    try:
        return Checkpoint(int(detail["covers_id"]), str(detail["covers_hash"]),
                          str(detail["signed_at"]), str(detail["key_id"]),
                          str(detail["signature"]))
    except (KeyError, TypeError, ValueError):
        return None


async def checkpoint_schedule(
    store: Store, audit: AuditLog, data_dir: Path, interval: float, stop: asyncio.Event
) -> None:
    """Sign the chain head every ``interval`` seconds until ``stop`` (only if it moved)."""
    last_signed: int | None = None
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
        if stop.is_set():
            return
        try:
            top = store.query("SELECT COALESCE(MAX(id), 0) FROM audit_events")[0][0]
            if top and top != last_signed:
                cp = await asyncio.to_thread(
                    make_checkpoint, store, audit, data_dir, actor="schedule", reason="schedule"
                )
                # The checkpoint's own row moved the head by one: that is not new activity.
                last_signed = cp.id + 1 if cp is not None else None
        except Exception:  # the schedule must never take the server down
            log.exception("scheduled audit checkpoint failed")


# -- verifying a chain (local or exported) ------------------------------------------------------


@dataclass
class ChainReport:
    """What :func:`verify_rows` (and the callers adding checkpoints/files) found."""

    problems: list[str] = field(default_factory=list)
    rows: int = 0
    first_id: int = 0
    last_id: int = 0
    proven_to: int = 0
    """The newest row covered by a valid checkpoint (0: none)."""
    checkpoints: int = 0
    recordings: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def verify_rows(
    rows: Iterable[dict[str, Any]],
    report: ChainReport,
    *,
    want_hashes: set[int] | None = None,
    anchored: bool = True,
) -> dict[int, str]:
    """Check rows for an unbroken chain; return the hashes of the ids in ``want_hashes``.

    Args:
        rows: rows in file/table order, each with the nine audit columns.
        report: where problems go (only the first chain break: later rows can't be judged).
        want_hashes: row ids whose (verified) hash the caller needs (checkpoints, session ends).
        anchored: the first row must be row 1 with the genesis ``prev_hash`` (a whole chain);
            False for an exported segment, whose first ``prev_hash`` is taken as given.

    Returns:
        ``{id: hash}`` for the wanted ids among the rows verified before any break.
    """
    want = want_hashes or set()
    found: dict[int, str] = {}
    prev_id: int | None = None
    prev_hash = GENESIS
    for row in rows:
        report.rows += 1
        rid = row.get("id")
        kind = sanitize(row.get("kind", "?"), 64)
        problem = None
        if not isinstance(rid, int) or any(
            not isinstance(row.get(k), str) for k in ("ts", "kind", "detail", "prev_hash", "hash")
        ):
            problem = f"audit row #{report.rows} in order is malformed (edited)"
        elif prev_id is None:
            report.first_id = rid
            if anchored and (rid != 1 or row["prev_hash"] != GENESIS):
                problem = f"audit row {rid}: the chain does not start at row 1 (rows deleted)"
        elif rid != prev_id + 1:
            if rid <= prev_id:
                problem = f"audit row {rid} comes after row {prev_id} (rows reordered)"
            else:
                problem = (f"audit row {rid}: rows {prev_id + 1}-{rid - 1} before it are missing "
                           "(deleted)")
        elif row["prev_hash"] != prev_hash:
            problem = (f"audit row {rid} ({kind}): prev_hash does not match row {prev_id}'s "
                       "hash (a row was deleted, replaced or reordered)")
        if problem is None and row_hash(row) != row["hash"]:
            problem = f"audit row {rid} ({kind}): contents do not match its hash (edited)"
        if problem is None:
            try:
                if canonical_json(json.loads(row["detail"])) != row["detail"]:
                    raise ValueError
            except (TypeError, ValueError):
                problem = f"audit row {rid}: detail is not canonical JSON (edited)"
        if problem is not None:
            report.add(problem)
            return found
        assert isinstance(rid, int)
        prev_id, prev_hash = rid, row["hash"]
        report.last_id = rid
        if rid in want:
            found[rid] = row["hash"]
    return found


def row_hash_ok(row: dict[str, Any]) -> bool:
    """Whether a row's stored hash matches its contents (False for a malformed row)."""
    try:
        return bool(row_hash(row) == row["hash"])
    except (KeyError, TypeError, ValueError):
        return False


def judge_checkpoints(
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    hashes: dict[int, str],
    report: ChainReport,
    *,
    where: str,
) -> None:
    """Check each checkpoint's signature and that the verified chain holds the row it names.

    Args:
        checkpoints: checkpoints to judge.
        key: the trusted public key.
        hashes: verified ``{id: hash}`` for (at least) every id a checkpoint names.
        report: ``proven_to`` is raised to the newest checkpoint that holds; problems added.
        where: where the checkpoints came from, for messages.
    """
    kid = key_id(key)
    for cp in sorted(checkpoints, key=lambda c: c.id):
        report.checkpoints += 1
        if cp.key_id != kid or not cp.valid(key):
            report.add(f"checkpoint of row {cp.id} ({where}): signature is not valid for key "
                       f"{kid} (forged or edited)")
            continue
        got = hashes.get(cp.id)
        if got is None:
            if cp.id > report.last_id:
                report.add(
                    f"checkpoint of row {cp.id} signed {sanitize(cp.ts, 40)}: the chain ends at "
                    f"row {report.last_id} (rows after it were deleted: truncated after the "
                    "checkpoint)"
                )
            else:
                report.add(f"checkpoint of row {cp.id}: that row is not in the verified chain")
            continue
        if got != cp.hash:
            report.add(f"checkpoint of row {cp.id}: the row's hash differs from the signed one "
                       "(the chain was rewritten)")
            continue
        report.proven_to = max(report.proven_to, cp.id)


def store_rows(store: Store, batch: int = 5000) -> Iterable[dict[str, Any]]:
    """Every audit row of a store in id order, as dicts."""
    names = ("id", "ts", "kind", "actor", "address", "session", "detail", "prev_hash", "hash")
    after = -(2**62)
    while True:
        rows = store.query(
            f"SELECT {', '.join(names)} FROM audit_events WHERE id > ? ORDER BY id LIMIT ?",
            (after, batch),
        )
        if not rows:
            return
        for r in rows:
            yield dict(zip(names, r, strict=True))
        after = rows[-1][0]


def verify_local(store: Store, data_dir: Path, key: Ed25519PublicKey,
                 kept: list[Checkpoint] | None = None) -> ChainReport:
    """Check the store's chain against the signed checkpoints (file and in-chain rows).

    Complements :func:`server.audit.verify` (ids, head file, recordings) with what the public
    key proves: every checkpoint is genuinely signed and names a row the chain still holds with
    the same hash. ``kept``: checkpoints the verifier kept elsewhere (``--checkpoint``), judged
    the same way — the one proof that does not depend on files an intruder could remove.
    """
    report = ChainReport()
    from_file, problems = read_checkpoints(checkpoints_path(data_dir))
    for problem in problems:
        report.add(problem)
    ids = {cp.id for cp in from_file} | {cp.id for cp in kept or []}
    in_chain: list[Checkpoint] = []
    for row in store.query("SELECT detail FROM audit_events WHERE kind = ?", (CHECKPOINT_KIND,)):
        try:
            cp = checkpoint_from_row(json.loads(row[0]))
        except (TypeError, ValueError):
            cp = None
        if cp is not None:
            in_chain.append(cp)
            ids.add(cp.id)
    hashes = verify_rows(store_rows(store), report, want_hashes=ids)
    judge_checkpoints(from_file, key, hashes, report, where=CHECKPOINTS_NAME)
    seen = {(c.id, c.signature) for c in from_file}
    judge_checkpoints([c for c in in_chain if (c.id, c.signature) not in seen], key, hashes,
                      report, where="chain row")
    judge_checkpoints(list(kept or []), key, hashes, report, where="kept checkpoint")
    if not from_file and not in_chain and not kept:
        report.add("no signed checkpoint yet (run 'slate audit checkpoint')")
    return report
