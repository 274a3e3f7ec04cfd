"""Phones' identities are personal data: keyed hashes for outputs, same-length pseudonyms for frames.

A per-deployment secret (32 random octets) is made on first use, mode 0600, in the sensor's key
directory beside its CurveZMQ keys (``$XDG_DATA_HOME/fbs-sensor/keys/identity.key``, i.e. the
daemon's ``state_dir / "keys"``); ``FBS_SENSOR_IDENTITY_KEY`` names another file (tests, a site
that keeps its secrets elsewhere). Everything below is HMAC-SHA256 with that secret over a
type-prefixed input, so an IMSI and a TMSI never collide and nobody without the secret can test a
guessed IMSI against an output:

* :meth:`Pseudonymizer.phone` — what outputs carry: ``"k1:"`` + the first 16 hex digits of
  HMAC(key, ``"imsi:262021234567890"``) (``k1`` is the key version: a new secret gets a new prefix
  when the scheme changes); the same phone always gets the same hash, counts of distinct phones
  come from these hashes;
* :meth:`Pseudonymizer.identity` — what raw frames carry instead (GSMTAP, pcap, ``--blocks``): an
  identity of the same type and length, its digits (IMSI, IMEI, IMEISV) or its 4 octets (TMSI)
  derived from the HMAC, so Wireshark still dissects the frame and the same phone keeps the same
  pseudonym. A TMSI keeps its two top bits (TS 23.003 §2.4: they tell a CS TMSI from a P-TMSI)
  and never becomes ``ff ff ff ff`` (no valid TMSI).

Example: the TMSI ``01 5c 57 03`` of the real vf_call6 Paging Response becomes ``"k1:…"`` (16 hex
digits) in a ``session`` object and another 4 octets in its frames; ``Pseudonymizer(keep_raw=True)``
(``--keep-identities``) returns ``"tmsi:015c5703"`` and leaves frames alone. Nothing here logs an
identity.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from pathlib import Path

from sensor.errors import ConfigError
from sensor.l3.ie_mm import MobileIdentity
from sensor.l3.ts24008 import TMSI_OCTETS, MobileIdentityType

log = logging.getLogger(__name__)

KEY_ENV = "FBS_SENSOR_IDENTITY_KEY"  # path of the key file (overrides the default location)
KEY_FILE = "identity.key"
KEY_OCTETS = 32
KEY_VERSION = "k1"
HASH_HEX_DIGITS = 16
TMSI_KEEP_MASK = 0xC000_0000  # TS 23.003 §2.4: the top two bits say CS TMSI or P-TMSI: kept
TMSI_INVALID = 0xFFFF_FFFF  # TS 23.003 §2.4: "no valid TMSI"
# what every command says on standard error at start when it keeps identities raw (--keep-identities)
KEEP_RAW_WARNING = "warning: --keep-identities: phones' raw IMSI/TMSI/IMEI go into this output (personal data)"

# identity type → the name in outputs and in the hashed input
IDENTITY_NAMES: dict[MobileIdentityType, str] = {
    MobileIdentityType.IMSI: "imsi",
    MobileIdentityType.IMEI: "imei",
    MobileIdentityType.IMEISV: "imeisv",
    MobileIdentityType.TMSI: "tmsi",
}


def default_key_path() -> Path:
    """``$FBS_SENSOR_IDENTITY_KEY``, else the key directory of the sensor's state directory."""
    override = os.environ.get(KEY_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fbs-sensor" / "keys" / KEY_FILE


def load_or_create_key(path: str | os.PathLike[str] | None = None) -> bytes:
    """The deployment's secret at ``path`` (default :func:`default_key_path`), made (0600) if absent.

    The file is written in a private temporary file and linked into place, so nobody reads a
    half-written secret and two processes starting at once agree on one key.
    """
    file = Path(path) if path is not None else default_key_path()
    if not file.exists():
        _create(file)
    try:
        key = file.read_bytes()
        mode = file.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read the identity key {file}: {exc.strerror or exc}") from None
    if len(key) != KEY_OCTETS:
        raise ConfigError(f"identity key {file} must hold {KEY_OCTETS} octets, it holds {len(key)}")
    if mode & 0o077:
        log.warning("identity key %s is readable by others (mode %o): chmod 600 it", file, mode & 0o777)
    return key


def _create(file: Path) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".identity-", dir=file.parent)  # mode 0600
    except OSError as exc:
        raise ConfigError(f"cannot create the identity key in {file.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_OCTETS))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, file)
        except FileExistsError:
            pass  # another process made it first: use theirs
    except OSError as exc:
        raise ConfigError(f"cannot create the identity key {file}: {exc.strerror or exc}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def identity_name(identity: MobileIdentity) -> str | None:
    """ "imsi", "imei", "imeisv", "tmsi", or None for no identity (or a TMGI)."""
    return IDENTITY_NAMES.get(identity.type)


def _value(identity: MobileIdentity) -> str | None:
    if identity.type is MobileIdentityType.TMSI and identity.tmsi is not None:
        return f"{identity.tmsi:08x}"
    return identity.digits


class Pseudonymizer:
    """Keyed hashes and pseudonyms of phones' identities; ``keep_raw`` (``--keep-identities``) turns
    both off. ``key`` defaults to :func:`load_or_create_key` (``path``)."""

    def __init__(
        self, key: bytes | None = None, *, keep_raw: bool = False, path: str | os.PathLike[str] | None = None
    ) -> None:
        if key is None and not keep_raw:
            key = load_or_create_key(path)
        if key is not None and len(key) != KEY_OCTETS:
            raise ConfigError(f"an identity key has {KEY_OCTETS} octets, got {len(key)}")
        self._key = key or b""
        self.keep_raw = keep_raw

    def __repr__(self) -> str:  # the key stays out of every log line
        return f"Pseudonymizer(keep_raw={self.keep_raw})"

    def _mac(self, purpose: str, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{purpose}:{kind}:{value}".encode("ascii"), hashlib.sha256).digest()

    def hash(self, kind: str, value: str) -> str:
        """``"k1:"`` + 16 hex digits for the identity ``value`` of type ``kind`` (``"tmsi"``: 8 hex digits)."""
        if self.keep_raw:
            return f"{kind}:{value}"
        return f"{KEY_VERSION}:{self._mac('id', kind, value).hex()[:HASH_HEX_DIGITS]}"

    def phone(self, identity: MobileIdentity | None) -> str | None:
        """What outputs say about the phone with ``identity``: its keyed hash (raw with ``keep_raw``),
        None for no identity."""
        if identity is None:
            return None
        kind, value = identity_name(identity), _value(identity)
        if kind is None or value is None:
            return None
        return self.hash(kind, value)

    def digits(self, kind: str, digits: str) -> str:
        """Decimal digits of the same length in place of ``digits`` (an IMSI, IMEI or IMEISV)."""
        if self.keep_raw or not digits:
            return digits
        number = int.from_bytes(self._mac("digits", kind, digits), "big")
        return str(number % 10 ** len(digits)).zfill(len(digits))

    def tmsi(self, tmsi: int) -> int:
        """A TMSI in place of ``tmsi``: 32 bits, the top two kept, never the invalid all-ones value."""
        if self.keep_raw:
            return tmsi
        mixed = int.from_bytes(self._mac("tmsi", "tmsi", f"{tmsi:08x}")[:TMSI_OCTETS], "big")
        out = (tmsi & TMSI_KEEP_MASK) | (mixed & ~TMSI_KEEP_MASK & 0xFFFF_FFFF)
        return out ^ 1 if out == TMSI_INVALID else out

    def identity(self, identity: MobileIdentity) -> MobileIdentity:
        """The pseudonym of ``identity`` for raw frames: same type, same encoded length."""
        if identity.type is MobileIdentityType.TMSI and identity.tmsi is not None:
            return MobileIdentity(identity.type, tmsi=self.tmsi(identity.tmsi))
        kind = identity_name(identity)
        if kind is not None and identity.digits is not None:
            return MobileIdentity(identity.type, digits=self.digits(kind, identity.digits))
        return identity
