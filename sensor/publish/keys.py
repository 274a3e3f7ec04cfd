"""CurveZMQ key pairs for sensors and the collector, in pyzmq's certificate files.

``NAME.key`` holds the public key (safe to copy: it goes into the collector's keys directory,
and the collector's own ``.key`` goes to every sensor); ``NAME.key_secret`` holds both keys and
never leaves its machine (mode 0600). A sensor's NAME is its sensor id: the collector maps an
authenticated public key back to the file's name and refuses messages claiming another id.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sensor.errors import ConfigError

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # the envelope's sensor id pattern
PUBLIC_SUFFIX = ".key"
SECRET_SUFFIX = ".key_secret"


@dataclass(frozen=True)
class KeyPair:
    """A Curve25519 key pair, both halves z85-encoded (40 ASCII bytes each) as ZeroMQ wants them."""

    name: str
    public: bytes
    secret: bytes = field(repr=False)  # never in a log line


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"key name {name!r}: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return name


def create_keypair(directory: str | os.PathLike[str], name: str, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``NAME.key`` and ``NAME.key_secret`` (0600) into ``directory``; returns (public, secret) paths.

    Refuses to replace an existing file unless ``force``. The files are made in a private
    temporary directory and moved into place, so the secret is never readable by others, not
    even for a moment, and a refused or failed run leaves nothing half-written.
    """
    import zmq.auth

    check_name(name)
    folder = Path(directory)
    public, secret = folder / f"{name}{PUBLIC_SUFFIX}", folder / f"{name}{SECRET_SUFFIX}"
    if not force:
        for path in (public, secret):
            if path.exists():
                raise ConfigError(
                    f"{path} exists: use --force to replace it (sensors or the collector using it must get the new key)"
                )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".keys-", dir=folder))
    except OSError as exc:
        raise ConfigError(f"cannot write keys into {folder}: {exc.strerror or exc}") from None
    try:
        tmp_public, tmp_secret = (Path(p) for p in zmq.auth.create_certificates(staging, name))
        os.chmod(tmp_secret, 0o600)
        os.chmod(tmp_public, 0o644)
        for tmp, final in ((tmp_secret, secret), (tmp_public, public)):
            if force:
                os.replace(tmp, final)
            else:
                os.link(tmp, final)  # fails if the name appeared meanwhile: never overwrite by accident
    except FileExistsError as exc:
        raise ConfigError(f"{exc.filename2 or exc.filename} exists: use --force to replace it") from None
    except OSError as exc:
        raise ConfigError(f"cannot write keys into {folder}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return public, secret


def load_public_key(path: str | os.PathLike[str]) -> bytes:
    """The z85 public key in a ``.key`` or ``.key_secret`` file."""
    public, _ = _load(Path(path))
    return public


def load_keypair(path: str | os.PathLike[str]) -> KeyPair:
    """Both keys from a ``.key_secret`` file (a ``.key`` file has only the public half)."""
    p = Path(path)
    public, secret = _load(p)
    if secret is None:
        raise ConfigError(f"{p}: has no secret key (give the NAME{SECRET_SUFFIX} file, not NAME{PUBLIC_SUFFIX})")
    mode = p.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("%s: secret key readable by others (mode %o): chmod 600 it", p, mode)
    return KeyPair(name=p.name.removesuffix(SECRET_SUFFIX), public=public, secret=secret)


def load_key_directory(directory: str | os.PathLike[str]) -> dict[bytes, str]:
    """Allowed clients: z85 public key → name, from every ``NAME.key`` in ``directory``.

    The name (file name without ``.key``) is the sensor id the key may speak for.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such keys directory")
    names: dict[bytes, str] = {}
    try:
        files = sorted(folder.glob(f"*{PUBLIC_SUFFIX}"))
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot list keys: {exc.strerror or exc}") from None
    for path in files:
        key = load_public_key(path)
        name = path.name.removesuffix(PUBLIC_SUFFIX)
        if key in names:
            raise ConfigError(f"{folder}: {path.name} and {names[key]}{PUBLIC_SUFFIX} hold the same public key")
        names[key] = name
    if not names:
        raise ConfigError(f"{folder}: no public keys (*{PUBLIC_SUFFIX}) in the keys directory: no sensor could connect")
    return names


def _load(path: Path) -> tuple[bytes, bytes | None]:
    import zmq.auth

    if not path.is_file():
        raise ConfigError(f"{path}: no such key file")
    try:
        public, secret = zmq.auth.load_certificate(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError:
        raise ConfigError(f"{path}: not a ZeroMQ key file (no public-key line)") from None
    for what, key in (("public-key", public), ("secret-key", secret)):
        if key is not None and not _is_z85_key(key):
            raise ConfigError(f"{path}: its {what} is not a 40-character z85 Curve25519 key")
    return public, secret


def _is_z85_key(key: bytes) -> bool:
    from zmq.utils import z85

    try:
        return len(key) == 40 and len(z85.decode(key)) == 32
    except (ValueError, KeyError, IndexError, TypeError):
        return False
