"""gr-gsm, an independent receiver, decodes the simulator's output to exactly the SI octets the
simulator put in, at the frame numbers the 51-multiframe puts them, for GSM900 and DCS1800 cells,
at 1 and 2 Msps, and from a wideband scene channel by channel (split by grgsm_channelize)."""

from __future__ import annotations

import pytest

from sensor.gsm import tdma
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.l3.messages import parse_si
from sensor.sim.c0 import C0Config, sent_blocks
from sensor.sim.output import write_cfile
from tests import grgsm
from tests.sim.scenes import cell_toml, scene_from, scene_toml

pytestmark = [pytest.mark.interop, pytest.mark.slow]

FRAME_S = tdma.FRAME_DURATION_S


def expected_blocks(cell, duration_s: float) -> dict[int, bytes]:
    """Every BCCH/CCCH block the cell sends whose four bursts lie inside the recording."""
    return sent_blocks(
        C0Config.from_params(cell.bsic, cell.params, cell.ccch_traffic), cell.start_fn, int(duration_s / FRAME_S) - 1
    )


def check_decoded(decoded: list[tuple[int, bytes]], cell, duration_s: float, *, min_share: float = 0.9) -> None:
    want = expected_blocks(cell, duration_s)
    assert decoded, "gr-gsm decoded nothing"
    for fn, octets in decoded:
        assert fn in want, f"gr-gsm found a block at FN {fn} where the cell sends none"
        assert octets == want[fn], f"FN {fn}: gr-gsm {octets.hex()} != sent {want[fn].hex()}"
    # gr-gsm needs an FCCH and an SCH before it decodes; after its first block it must miss nothing.
    first = min(fn for fn, _ in decoded)
    after = [fn for fn in want if fn >= first]
    got = {fn for fn, _ in decoded}
    assert len(got) >= min_share * len(after), f"gr-gsm decoded {len(got)} of {len(after)} blocks"
    sis = {parse_si(o).si_type.value: parse_si(o) for fn, o in decoded if o[2] != 0x21}
    assert "3" in sis, "no SI3 among the decoded blocks"
    si3 = sis["3"]
    assert (si3.lai.mcc, si3.lai.mnc, si3.lai.lac, si3.cell_identity) == (
        cell.params.mcc,
        cell.params.mnc,
        cell.params.lac,
        cell.params.cell_id,
    )


@pytest.mark.parametrize(
    "arfcn, band, rate, mnc, bsic",
    [
        (62, None, 1e6, "00", 21),  # GSM900, 2-digit MNC, 1 Msps
        (700, "DCS1800", 2e6, "410", 56),  # DCS1800, 3-digit MNC, 2 Msps
    ],
)
def test_grgsm_decodes_single_cell(tmp_path, arfcn, band, rate, mnc, bsic):
    grgsm.require()
    fc = arfcn_to_downlink_hz(arfcn, band)
    scene = scene_from(
        tmp_path,
        scene_toml(
            fc,
            rate,
            [
                cell_toml(
                    "a",
                    arfcn,
                    bsic,
                    band=band,
                    mnc=mnc,
                    mcc="310",
                    neighbours=(arfcn + 2, arfcn + 5),
                    extra="start_fn = 123456\n",
                )
            ],
            duration_s=1.2,
        ),
    )
    cfile = tmp_path / "a.cfile"
    write_cfile(scene, cfile)
    decoded = grgsm.decode(cfile, sample_rate_hz=rate, fc_hz=fc, tmp_dir=tmp_path)
    check_decoded(decoded, scene.cells[0], scene.duration_s)


def test_grgsm_decodes_every_cell_of_a_wideband_scene(tmp_path):
    grgsm.require()
    fc = 947.4e6  # ARFCN 62; neighbours 4 channels apart either side
    cells = [
        cell_toml("a", 58, 10, power_dbfs=-30, lac=100, cell_id=1, neighbours=(62, 66)),
        cell_toml("b", 62, 21, power_dbfs=-24, lac=100, cell_id=2, neighbours=(58, 66), extra="start_fn = 5000\n"),
        cell_toml("c", 66, 33, power_dbfs=-36, lac=101, cell_id=3, neighbours=(58, 62), extra="start_fn = 90000\n"),
    ]
    scene = scene_from(tmp_path, scene_toml(fc, 2.4e6, cells, duration_s=1.2))
    wide = tmp_path / "wide.cfile"
    write_cfile(scene, wide)
    # grgsm_channelize decimates by a whole number: 2.4 Msps → 800 ksps per channel.
    files = grgsm.channelize(
        wide, sample_rate_hz=2.4e6, fc_hz=fc, arfcns=[58, 62, 66], out_dir=tmp_path / "ch", out_rate_hz=800e3
    )
    for cell in scene.cells:
        decoded = grgsm.decode(
            files[cell.arfcn], sample_rate_hz=800e3, fc_hz=arfcn_to_downlink_hz(cell.arfcn), tmp_dir=tmp_path
        )
        check_decoded(decoded, cell, scene.duration_s)


def test_grgsm_decodes_through_impairments(tmp_path):
    """Multipath, an off-tune uncalibrated receiver, DC spike, IQ imbalance and an 8-bit ADC."""
    grgsm.require()
    fc = arfcn_to_downlink_hz(30)
    rx = 'ppm = -18.0\ndc_dbfs = -35.0\niq_gain_db = 0.4\niq_phase_deg = 2.0\ndatatype = "cu8"\n'
    cell = cell_toml("a", 30, 45, power_dbfs=-12, extra='multipath = "static"\ntiming_symbols = 77.75\n')
    scene = scene_from(tmp_path, scene_toml(fc, 1e6, [cell], duration_s=1.2, noise_dbfs=-40, receiver_extra=rx))
    cfile = tmp_path / "impaired.cfile"
    write_cfile(scene, cfile)
    decoded = grgsm.decode(cfile, sample_rate_hz=1e6, fc_hz=fc, ppm=18.0, tmp_dir=tmp_path)
    check_decoded(decoded, scene.cells[0], scene.duration_s, min_share=0.8)


def test_grgsm_decodes_a_wide_receiver_scene(tmp_path):
    """An 8 Msps HackRF-like receiver (cells generated at 2 samples per symbol) with ci8 samples."""
    grgsm.require()
    fc = arfcn_to_downlink_hz(62)
    cells = [
        cell_toml("a", 45, 7, power_dbfs=-25, cell_id=11, neighbours=(62, 80)),
        cell_toml("b", 62, 8, power_dbfs=-30, cell_id=12, neighbours=(45, 80), extra="start_fn = 777\n"),
        cell_toml("c", 80, 9, power_dbfs=-20, cell_id=13, neighbours=(45, 62), extra="start_fn = 31000\n"),
    ]
    scene = scene_from(
        tmp_path, scene_toml(fc, 8e6, cells, duration_s=1.2, noise_dbfs=-55, receiver_extra='datatype = "ci8"\n')
    )
    wide = tmp_path / "wide8.cfile"
    write_cfile(scene, wide)
    files = grgsm.channelize(wide, sample_rate_hz=8e6, fc_hz=fc, arfcns=[45, 62, 80], out_dir=tmp_path / "ch8")
    for cell in scene.cells:
        decoded = grgsm.decode(
            files[cell.arfcn], sample_rate_hz=1e6, fc_hz=arfcn_to_downlink_hz(cell.arfcn), tmp_dir=tmp_path
        )
        check_decoded(decoded, cell, scene.duration_s)
