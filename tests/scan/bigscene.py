"""A city spanning E-GSM 900 and DCS 1800: 44 cells of two operators on their own allocations
(China Mobile and China Unicom, per firmware-config/bandplans/cn.toml), a fake station 5 ppm off,
heard by a receiver with a -40 ppm clock. Used by the scanning tests and bench/bench_scan.py."""

from __future__ import annotations

from pathlib import Path

EGSM_CM = [3, 9, 17, 24, 31, 38, 46, 52, 61, 67, 75, 83, 90, 1005, 1013, 1020]
EGSM_CU = [97, 101, 106, 110, 116, 119, 122]
DCS_CM = [515, 530, 548, 561, 577, 590, 603, 618, 630]
DCS_CU = [640, 655, 668, 684, 699, 711, 725, 733, 736]
FAKE_ARFCN = 70


def cells() -> list[tuple[str, int, str, str | None]]:
    out = [(f"cm{a}", a, "00", None) for a in EGSM_CM] + [(f"cu{a}", a, "01", None) for a in EGSM_CU]
    out += [(f"cm{a}", a, "00", "DCS1800") for a in DCS_CM] + [(f"cu{a}", a, "01", "DCS1800") for a in DCS_CU]
    return out


def write_big_scene(folder: Path, *, duration_s: float = 600.0, ppm: float = -40.0, fake: bool = True) -> Path:
    lines = [
        f'name = "city-egsm-dcs"\nseed = 44\nduration_s = {duration_s}\n',
        f"[receiver]\ncenter_hz = 947.4e6\nsample_rate_hz = 2.4e6\nppm = {ppm}\nnoise_dbfs = -62.0\n",
    ]
    all_cells = cells()
    for i, (name, arfcn, mnc, band) in enumerate(all_cells):
        same = [a for n, a, m, b in all_cells if m == mnc and b == band and a != arfcn][:5]
        lines.append(
            f'[[cells]]\nname = "{name}"\narfcn = {arfcn}\nbsic = {(i * 7) % 64}\n'
            + (f'band = "{band}"\n' if band else "")
            + f"power_dbfs = {-30.0 - (i % 5) * 4}\nstart_fn = {i * 9973 % 2715648}\n"
            f"timing_symbols = {(i * 131) % 1250}\n"
            f'[cells.params]\nmcc = "460"\nmnc = "{mnc}"\nlac = {41000 + (i // 6)}\ncell_id = {1000 + i}\n'
            f"neighbours = {same}\nt3212_min = 60\n"
        )
    if fake:
        lines.append(
            f'[[fakes]]\nimitate = "cm61"\narfcn = {FAKE_ARFCN}\nbsic = 17\npower_dbfs = -25.0\n'
            'behaviours = ["large_cfo", "empty_neighbours"]\ncfo_ppm = 5.0\n'
        )
    path = folder / "city.toml"
    path.write_text("\n".join(lines))
    return path
