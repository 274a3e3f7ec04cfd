"""Evidence per station (``sensor.intel.evidence``): counts as intervals whose upper end follows the
stated model, the binomial bound on sessions missed, and the 5,000-message threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sensor.intel.evidence import SERIOUS_SMS, missed_sessions_bound, station_evidence, threshold_status


def _session(i, *, complete=True, sms=1, phone=True, followed=True, ciphered=False):
    return {"id": f"s{i}", "phone": f"k1:{i:016x}" if phone else None, "complete": complete, "sms": sms,
            "followed": followed, "ciphered": ciphered}  # fmt: skip


def _sms(i, category="fraud", **kw):
    return {"session": f"s{i}", "phone": f"k1:{i:016x}", "category": category, "parts": None, "of": None, **kw}


def test_nothing_lost_gives_a_point_interval():
    e = station_evidence([_session(i) for i in range(4)], [_sms(i) for i in range(4)], ccch_blocks_ok=500)
    assert e["sms"]["interval"] == [4, 4] and e["phones"]["interval"] == [4, 4]
    assert e["serious"]["shown"] == "4 of 5,000" and e["serious"]["status"] == "not reached"


def test_sessions_read_in_part_unread_or_without_identity_widen_the_interval():
    sessions = [_session(0, sms=2), _session(1, sms=2), _session(2, complete=False, sms=1),
                _session(3, followed=False, sms=0, phone=False), _session(4, ciphered=True, sms=0)]  # fmt: skip
    sms = [_sms(0), _sms(0, category="advertising"), _sms(1), _sms(1), _sms(2, parts=[1], of=2)]
    e = station_evidence(sessions, sms)
    # k = 2 (complete sessions carried 2): the one in part may hold 1 more, the unread two 2 each
    assert e["sms"]["interval"] == [5, 5 + 1 + 2 + 2] and e["sms"]["in_part"] == 1
    assert e["phones"]["interval"] == [4, 5]
    assert e["sessions"]["unread"] == 2 and e["sessions"]["in_part"] == 1
    assert e["by_category"] == {"advertising": 1, "fraud": 4}
    assert e["serious"]["interval"] == [4, 4 + 5] and e["serious"]["shown"] == "4 of 5,000 (at most 9)"


@pytest.mark.parametrize("seen,loss", [(0, 0.3), (17, 0.03), (17, 0.2), (200, 0.5)])
def test_the_missed_bound_is_the_largest_n_still_likely(seen, loss):
    extra = missed_sessions_bound(seen, loss)
    n = seen + extra
    assert stats.binom.cdf(seen, n, 1 - loss) >= 0.05 > stats.binom.cdf(seen, n + 1, 1 - loss)


def test_the_missed_bound_covers_the_truth_95_percent_of_the_time():
    rng = np.random.default_rng(23)
    n_true, loss = 40, 0.2
    seen = rng.binomial(n_true, 1 - loss, 4000)
    covered = np.mean([s + missed_sessions_bound(int(s), loss) >= n_true for s in seen])
    assert covered >= 0.95
    assert missed_sessions_bound(10, 0.0) == 0
    with pytest.raises(ValueError):
        missed_sessions_bound(10, 1.0)


def test_the_threshold_is_reached_may_be_reached_or_not():
    assert threshold_status(SERIOUS_SMS, SERIOUS_SMS) == "reached"
    assert threshold_status(4990, 5003) == "may be reached"
    assert threshold_status(10, 4999) == "not reached"
    sessions = [_session(i) for i in range(5000)]
    e = station_evidence(sessions, [_sms(i, category="phishing") for i in range(5000)])
    assert e["serious"]["status"] == "reached" and e["serious"]["shown"] == "5,000 of 5,000"
