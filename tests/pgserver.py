"""A throwaway PostgreSQL server for tests and benches: initdb into a temporary directory, listen
only on a Unix socket in that directory, stop and delete it at the end.

    server = PgServer.start()          # None-safe check first: find_pg_bin()
    dsn = server.create_database("t1")  # postgresql://fbs@/t1?host=/tmp/fbs-pg-…&port=…
    server.stop(); server.start_again(); server.destroy()

PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user (the Debian
package creates it) or else ``nobody``, through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "fbs"  # the superuser initdb creates (trust authentication: local socket only)


def find_pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: $PG_BIN, the newest /usr/lib/postgresql/*/bin, or $PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as, or None to run it as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


class PgServer:
    def __init__(self, bin_dir: Path, root: Path, port: int, user: str | None) -> None:
        self.bin_dir, self.root, self.port, self.user = bin_dir, root, port, user
        self.data = root / "data"
        self.log = root / "server.log"

    # ------------------------------------------------------------------ life cycle

    @classmethod
    def start(cls, bin_dir: Path | None = None, *, fsync: bool = True) -> PgServer:
        bin_dir = bin_dir or find_pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
        user = _run_as()
        root = Path(tempfile.mkdtemp(prefix="fbs-pg-", dir="/tmp"))  # short: a socket path has ~107 bytes
        if user is not None:
            pw = pwd.getpwnam(user)
            os.chown(root, pw.pw_uid, pw.pw_gid)
        server = cls(bin_dir, root, _free_port(), user)
        server._run("initdb", "-D", str(server.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C",
                    *(() if fsync else ("--no-sync",)))  # fmt: skip
        server._fsync = fsync
        server.start_again()
        return server

    def start_again(self) -> None:
        opts = f"-k {self.root} -p {self.port} -c listen_addresses=''"
        if not getattr(self, "_fsync", True):
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ use

    def dsn(self, dbname: str = "postgres", password: str | None = None) -> str:
        auth = USER if password is None else f"{USER}:{password}"
        return f"postgresql://{auth}@/{dbname}?host={self.root}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)
