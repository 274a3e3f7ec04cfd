"""Fake ``hackrf_transfer`` and ``hackrf_info`` (run as ``python fake_hackrf.py transfer|info ARGS``).

``install(bin_dir)`` writes two executables that exec this script. Behaviour comes from environment
variables, so tests set them with monkeypatch:

- FAKE_HACKRF_SERIALS: comma-separated attached boards (default one board, ``SERIAL``)
- FAKE_HACKRF_PATTERN: ``tagged`` (I = k, Q = tag of -f) or ``counter`` (I, Q = k as 16 bits)
- FAKE_HACKRF_SPEED: multiple of real time (default 1)
- FAKE_HACKRF_DIE_AFTER: exit (status 1, as on a lost board) after this many bytes
- FAKE_HACKRF_HANG_AFTER: stop writing after this many bytes (keep running)
- FAKE_HACKRF_IGNORE_SIGINT: 1 to ignore SIGINT/SIGTERM (so it must be killed)
- FAKE_HACKRF_OVERRUN_AFTER: after this many bytes the ``-B`` statistics report one overrun
- FAKE_HACKRF_LOG: append one JSON line per run: argv and pid

Like the real tool: messages go to stderr, a failed open prints usage on stdout and exits 1.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

SERIAL = "0000000000000000457863c82b2c5d1f"
CHUNK_SAMPLES = 16384


def tag_of(center_hz: float) -> int:
    return int(center_hz // 100_000) & 0x7F


def sample_bytes(k0: int, m: int, center_hz: float, pattern: str) -> bytes:
    out = bytearray(2 * m)
    for j in range(m):  # small chunks: plain Python is fast enough and needs no numpy here
        k = k0 + j
        out[2 * j] = k & 0xFF
        out[2 * j + 1] = (k >> 8) & 0xFF if pattern == "counter" else tag_of(center_hz)
    return bytes(out)


def install(bin_dir) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, mode in (("hackrf_transfer", "transfer"), ("hackrf_info", "info")):
        path = bin_dir / tool
        path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{os.path.abspath(__file__)}" {mode} "$@"\n')
        path.chmod(0o755)


def _serials() -> list[str]:
    return [s for s in os.environ.get("FAKE_HACKRF_SERIALS", SERIAL).split(",") if s]


def _env_int(name: str) -> int | None:
    v = os.environ.get(name)
    return int(v) if v else None


def info() -> int:
    print("hackrf_info version: 2022.09.1\nlibhackrf version: 2022.09.1 (0.7)")
    serials = _serials()
    if not serials:
        print("No HackRF boards found.")
        return 1
    for i, s in enumerate(serials):
        print(f"Found HackRF\nIndex: {i}\nSerial number: {s}\nBoard ID Number: 2 (HackRF One)")
        print("Firmware Version: 2022.09.1 (API:1.07)\nPart ID Number: 0xa000cb3c 0x004f4762\n")
    return 0


def transfer(argv: list[str]) -> int:
    opts: dict[str, str] = {}
    flags = set()
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-B",):
            flags.add(a)
            i += 1
        else:
            opts[a] = argv[i + 1]
            i += 2
    log = os.environ.get("FAKE_HACKRF_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"argv": argv, "pid": os.getpid()}) + "\n")
    err = sys.stderr
    out = sys.stdout.buffer
    wanted = opts.get("-d")
    boards = [s for s in _serials() if wanted is None or s.endswith(wanted)]
    if not boards:
        err.write("hackrf_open() failed: HACKRF_ERROR_NOT_FOUND (-5)\n")
        err.flush()
        out.write(b"Usage:\n\t-h # this help\n\t[-d serial_number] # Serial number of desired HackRF.\n")
        out.flush()
        return 1
    stop = {"now": False}

    def on_signal(signum, frame):
        err.write(f"Caught signal {signum}\n")
        stop["now"] = True

    if os.environ.get("FAKE_HACKRF_IGNORE_SIGINT") == "1":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
    center = float(opts["-f"])
    rate = float(opts["-s"])
    pattern = os.environ.get("FAKE_HACKRF_PATTERN", "tagged")
    speed = float(os.environ.get("FAKE_HACKRF_SPEED", "1"))
    die_after = _env_int("FAKE_HACKRF_DIE_AFTER")
    hang_after = _env_int("FAKE_HACKRF_HANG_AFTER")
    overrun_after = _env_int("FAKE_HACKRF_OVERRUN_AFTER")
    err.write(f"call hackrf_set_sample_rate({int(rate)} Hz/{rate / 1e6:.3f} MHz)\n")
    err.write(f"call hackrf_set_freq({int(center)} Hz/{center / 1e6:.3f} MHz)\nStop with Ctrl-C\n")
    err.flush()
    period = 65536 if pattern == "counter" else 256  # the pattern repeats: precompute it once
    looped = sample_bytes(0, period, center, pattern) * (2 + 2 * CHUNK_SAMPLES // period)
    k = 0
    sent = 0
    reported = 0.0
    t_next = time.monotonic()
    while not stop["now"]:
        if hang_after is not None and sent >= hang_after:
            time.sleep(0.01)
            continue
        m = CHUNK_SAMPLES
        if die_after is not None:
            m = min(m, (die_after - sent) // 2)
        start = 2 * (k % period)
        data = looped[start : start + 2 * m]
        if hang_after is not None:
            data = data[: max(0, hang_after - sent)]
        try:
            out.write(data)
            out.flush()
        except BrokenPipeError:
            return 1
        k += m
        sent += len(data)
        if die_after is not None and sent >= die_after:
            err.write("\nExiting... hackrf_is_streaming() result: HACKRF_ERROR_STREAMING_THREAD_ERR (-1002)\n")
            err.write("Total time: 0.50000 s\nhackrf_stop_rx() failed: HACKRF_ERROR_LIBUSB (-1000)\n")
            err.write("hackrf_close() done\nhackrf_exit() done\nexit\n")
            err.flush()
            return 1
        if "-B" in flags and sent - reported >= 2 * rate:  # "once a second" of samples
            reported = sent
            overruns = 1 if overrun_after is not None and sent >= overrun_after else 0
            err.write(f"{sent / 1e6:4.1f} MiB / 1.000 sec = {sent / 1e6:4.1f} MiB/second, amplitude -20.0 dBfs, "
                      f"262144 bytes free in buffer, {overruns} overruns, longest 0 bytes\n")  # fmt: skip
            err.flush()
        t_next += m / rate / speed
        delay = t_next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    err.write(
        "\nExiting...\nTotal time: 1.00000 s\nhackrf_stop_rx() done\nhackrf_close() done\nhackrf_exit() done\nexit\n"
    )
    err.flush()
    return 0


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    sys.exit(info() if mode == "info" else transfer(rest))
