"""``fbs-sensor keys``: make and show the CurveZMQ key pairs that authenticate sensors and the collector.

Registered by ``sensor/cli.py`` like the commands in ``sensor/commands/``.
"""

from __future__ import annotations

import click

from sensor.publish.keys import create_keypair, load_public_key


@click.group("keys")
def command() -> None:
    """CurveZMQ key pairs: one per sensor (NAME = sensor id) and one for the collector.

    Copy each sensor's NAME.key into the collector's --keys-dir and the collector's .key to every
    sensor; a NAME.key_secret file never leaves its machine.
    """


@command.command("new")
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True, metavar="DIR", help="Where to write the key files.")
@click.option("--force", is_flag=True, help="Replace existing key files of that name.")
def new(name: str, directory: str, force: bool) -> None:
    """Write NAME.key (public) and NAME.key_secret (secret, mode 0600)."""
    public, secret = create_keypair(directory, name, force=force)
    click.echo(f"public key {load_public_key(public).decode('ascii')}")
    click.echo(f"wrote {public} (public: give it to the other end) and {secret} (secret: keep it here)", err=True)


@command.command("show")
@click.argument("file", metavar="FILE")
def show(file: str) -> None:
    """Print the public key (z85) held in a .key or .key_secret file."""
    click.echo(load_public_key(file).decode("ascii"))
