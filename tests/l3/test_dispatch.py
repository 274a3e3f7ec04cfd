"""The lazy (PD, message type) registry of sensor.l3.dispatch: its table is the classes' own
declarations, and a module is imported only when one of its messages is decoded."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from sensor.l3 import dispatch
from sensor.l3.codec import Message, message_key
from sensor.l3.dispatch import DECLARED, DECLARED_IN, LENIENT_MODULES, REGISTRY, decode_l3


def _declared_by(module_name: str) -> dict[tuple[int, int], type]:
    """(PD, type) → class of every message class defined in the module with a standard L3 header,
    found independently of dispatch.declared_by: walking the module's classes."""
    module = importlib.import_module(f"sensor.l3.{module_name}")
    found = {}
    for cls in vars(module).values():
        if not (inspect.isclass(cls) and issubclass(cls, Message) and cls.__module__ == module.__name__):
            continue
        if not hasattr(cls, "SPEC"):
            continue
        if module_name == "rp":  # no protocol discriminator: carried inside CP-DATA (rp.RP_REGISTRY)
            with pytest.raises(KeyError):
                message_key(cls.SPEC)
            continue
        found[message_key(cls.SPEC)] = cls
    return found


@pytest.mark.parametrize("module_name", sorted(DECLARED_IN))
def test_the_table_lists_exactly_the_messages_each_module_declares(module_name):
    want = {key for key, module in DECLARED.items() if module == module_name}
    classes = _declared_by(module_name)
    assert set(classes) == want
    assert dispatch.declared_by(importlib.import_module(f"sensor.l3.{module_name}")) == classes


def test_no_other_module_of_the_package_declares_a_message():
    import pkgutil

    import sensor.l3

    others = [m.name for m in pkgutil.iter_modules(sensor.l3.__path__) if m.name not in DECLARED_IN]
    assert "rp" in others and "messages" in others
    assert {name: _declared_by(name) for name in others if _declared_by(name)} == {}


def test_the_registry_maps_every_key_to_its_class_and_nothing_else():
    from sensor.l3.messages import MESSAGE_CLASSES

    assert len(REGISTRY) == len(DECLARED) and set(REGISTRY) == set(DECLARED)
    for key, cls in REGISTRY.items():
        assert message_key(cls.SPEC) == key
    assert (6, 0xFF) not in REGISTRY and REGISTRY.get((6, 0xFF)) is None
    with pytest.raises(KeyError):
        REGISTRY[(6, 0xFF)]
    # the System Information of the BCCH (their rest octets may be read leniently) are the lenient modules'
    lenient = {cls for key, cls in REGISTRY.items() if DECLARED[key] in LENIENT_MODULES}
    assert lenient == set(MESSAGE_CLASSES.values())


def test_a_bcch_si_with_bad_rest_octets_decodes_leniently_only_when_asked():
    from sensor.l3.errors import L3ParseError

    # SI3 whose rest octets announce a field in the last bit that does not fit (tests/l3/test_messages.py)
    si3 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b90000c5d71484")
    with pytest.raises(L3ParseError):
        decode_l3(si3, pseudo_length=True)
    lenient = decode_l3(si3, pseudo_length=True, strict=False)
    assert lenient.cell_id == 15149 and lenient.rest_octets is None and lenient.rest_octets_error


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return set(out.split())


def test_decoding_a_bcch_block_imports_no_dedicated_channel_messages():
    si3 = "49061b3b2d72f2203aa8d0033c546506b900008020420b"  # the real capture's SI3 (tests/test_replay.py)
    mods = _modules_after(f"from sensor.l3 import decode_l3\ndecode_l3(bytes.fromhex({si3!r}), pseudo_length=True)")
    assert "sensor.l3.si_cell" in mods
    for unused in ("mm", "cc", "cp", "rp", "rr_dedicated", "si_sacch", "rr_ccch", "si_lists", "cell", "ccch"):
        assert f"sensor.l3.{unused}" not in mods


def test_a_dedicated_message_imports_its_module_on_first_use():
    mods = _modules_after("from sensor.l3 import decode_l3\ndecode_l3(bytes.fromhex('05040d'))")
    assert "sensor.l3.mm" in mods and "sensor.l3.cc" not in mods and "sensor.l3.cp" not in mods
    assert dispatch.class_of((5, 0x04)).__name__ == "LocationUpdatingReject"
