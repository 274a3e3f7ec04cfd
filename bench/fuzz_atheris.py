"""Coverage-guided fuzzing (atheris, libFuzzer) of the parsers of what a fake station sends.

    pip install atheris
    python bench/fuzz_atheris.py -runs=1000000 [-max_len=64] [other libFuzzer flags]

Each input goes through the LAPDm decoder (SDCCH and SACCH layouts), ``decode_l3`` (plain and with
pseudo length) and ``decode_tpdu`` (MT and MO), instrumented so that libFuzzer steers towards new
branches; any exception other than ``DecodeError`` stops it with the input that caused it (libFuzzer
writes it as ``crash-*``). ``bench/fuzz_parsers.py`` is the plain mutation fuzzer that needs no extra
package.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from sensor.errors import DecodeError
    from sensor.l2.frame import decode_block
    from sensor.l2.ts44006 import Channel
    from sensor.l3.dispatch import decode_l3
    from sensor.sms.tpdu import decode_tpdu


def one_input(data: bytes) -> None:
    for call in (
        lambda: decode_block(data, Channel.SDCCH),
        lambda: decode_block(data, Channel.SACCH),
        lambda: decode_l3(data),
        lambda: decode_l3(data, pseudo_length=True),
        lambda: decode_tpdu(data, "mt"),
        lambda: decode_tpdu(data, "mo"),
    ):
        try:
            call()
        except DecodeError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
