"""SMS extraction and enrichment throughput: texts per second on typical fraud SMS, and the cost of
the worst of 64 KB hostile texts.

    python bench/bench_intel.py [--texts 20000]

The mix: five fraud texts of about 70 characters (a link spelt with 点com, a full-width link, a
400 number written with letter O, QQ/WeChat ids, a bank card and amounts). "extract" is
sensor.intel.extract alone; "enrich" is enrich_sms on an sms object (extraction, sender
analysis and classification). Best of 3 passes, one core. The reference in the same run: the same texts through one
``re.finditer`` of a plain URL pattern, the least any extractor does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import best_of, one_core
from sensor.intel import enrich_sms, extract
from sensor.intel.senders import default as default_senders

TEXTS = [
    "【工商银行】尊敬的客户，您的积分即将于今日清零，请登录 icbc-jf 点 com 兑换礼品，"
    "逾期作废。客服4OO-800-1234 退订回T",
    "【ETC服务】尊敬的用户：您的ETC已失效，请于今日登录ｈｔｔｐ：／／ｅｔｃ－ｃｎ．ｃｃ 重新认证，"
    "否则将影响您的高速通行，详询95588",
    "【中国移动】尊敬的客户，您有8888积分可兑换现金278元，今日到期，请登录 10086-jf.cc/a 办理，详询13812345678",
    "内部渠道，日赚2w不是梦！兼职刷单无需押金，加V信: abc_123 或扣扣 123456789 了解详情，名额有限速来报名",
    "【顺丰速运】您的包裹因地址不详被退回，请转账至6222 0202 0000 1234 562 支付¥50元运费，详见 t.cn/A6xYz9",
]
# repeated to 64 KB: runs of what almost matches (a link, a phone number, an account, a signature)
HOSTILE_UNITS = ["a.", "w ", "1-", "1 ", "x" * 63 + " 点 ", "a-", "QQ", "微信", "4", "【", "¥1,", "i*c*b*c..."]
PLAIN = re.compile(r"https?://[^\s]+")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=20000)
    args = ap.parse_args()
    texts = (TEXTS * (args.texts // len(TEXTS) + 1))[: args.texts]
    mean_len = sum(map(len, TEXTS)) / len(TEXTS)
    senders = default_senders()
    extract(TEXTS[0])  # the suffix list and number metadata load here, not in the timing
    objs = [{"sender": "95588", "sender_type": "national", "text": t} for t in texts]
    with one_core():
        plain = best_of(lambda: [list(PLAIN.finditer(t)) for t in texts])
        ext = best_of(lambda: [extract(t) for t in texts])
        enr = best_of(lambda: [enrich_sms(dict(o), senders) for o in objs])
        hostile_s = 0.0
        for unit in HOSTILE_UNITS:  # 64 KB of what almost matches: the worst of them
            t0 = time.perf_counter()
            extract((unit * (65536 // len(unit)))[:65536])
            hostile_s = max(hostile_s, time.perf_counter() - t0)
    print(json.dumps({"texts": len(texts), "mean_chars": round(mean_len, 1),
                      "plain_regex_texts_per_s": round(len(texts) / plain),
                      "extract_texts_per_s": round(len(texts) / ext),
                      "enrich_texts_per_s": round(len(texts) / enr),
                      "extract_vs_plain_regex": round(ext / plain, 1),
                      "hostile_64k_s": round(hostile_s, 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
