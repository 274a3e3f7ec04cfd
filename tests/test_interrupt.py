"""A Ctrl-C is never lost (sensor/interrupt.py): where Python could not raise it (inside a callback the
interpreter calls on its own, which swallows it) the command still ends with status 130 and one
line, and a long loop's check stops the work there."""

from __future__ import annotations

import signal
import weakref

import click
import pytest
from click.testing import CliRunner

from sensor import interrupt
from sensor.cli import SensorGroup, cli


class _Thing:
    pass


def _swallowed_press() -> None:
    """What a SIGINT landing in a weak reference's callback does: the handler runs there and its
    KeyboardInterrupt is swallowed by the interpreter ("Exception ignored in …")."""
    thing = _Thing()
    ref = weakref.ref(thing, lambda _: interrupt._on_sigint(signal.SIGINT, None))
    del thing  # the callback runs now; the KeyboardInterrupt it raises goes nowhere
    assert ref() is None


def test_a_swallowed_ctrl_c_is_remembered_and_raised_again_where_the_loop_checks(capsys):
    with interrupt.watching():
        assert not interrupt.pressed()
        _swallowed_press()  # returns: the exception did not get out of the callback
        assert interrupt.pressed()
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
    assert "KeyboardInterrupt" not in capsys.readouterr().err  # not printed as an ignored exception
    assert not interrupt.pressed()  # the press belonged to that block: later code starts afresh
    interrupt.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    with interrupt.watching():
        assert not interrupt.pressed()  # each command starts afresh
        interrupt.check()


def test_a_command_that_returned_after_a_swallowed_ctrl_c_ends_interrupted(monkeypatch):
    @click.command()
    def finishes_anyway() -> None:
        _swallowed_press()
        click.echo("all done")

    monkeypatch.setattr(SensorGroup, "get_command", lambda self, ctx, name: finishes_anyway)
    r = CliRunner().invoke(cli, ["finishes-anyway"])
    assert r.exit_code == 130, r.output
    assert r.stderr.strip().splitlines() == ["fbs-sensor: interrupted"]


def test_without_a_press_a_command_ends_as_it_would(monkeypatch):
    @click.command()
    def quiet() -> None:
        click.echo("all done")

    monkeypatch.setattr(SensorGroup, "get_command", lambda self, ctx, name: quiet)
    r = CliRunner().invoke(cli, ["quiet"])
    assert r.exit_code == 0 and r.stdout == "all done\n" and r.stderr == ""
