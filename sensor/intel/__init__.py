"""SMS intelligence: what a fake station's messages point to, who they pretend to come from, and
which of the legal categories (fraud, gambling, prostitution, malware, phishing; advertising, other)
each falls in, with its reasons.

Above ``cells``/``sessions`` (it reads their ``sms`` objects), below ``detect``. Everything here
treats the text as hostile: matching is total and bounded, links are data and are never fetched.

* ``textmap``   the text folded for matching (NFKC per character, invisible characters dropped)
                with the map back to the characters as written;
* ``finding``   one finding: kind, type, normalised value, raw text, span;
* ``links``     links (with or without scheme, full-width, spaced out, 点com, IP hosts, IDN, short
                links) and e-mail addresses;
* ``domains``   registered domains from tldextract's bundled suffix list, offline, no cache;
* ``phones``    phone numbers typed the Chinese way (mobile, landline, 400/800, 95xxx, 106 ports,
                foreign), E.164 via phonenumbers;
* ``accounts``  QQ and WeChat ids; ``cards``: bank card numbers (Luhn); ``money``: amounts;
* ``extract``   all of the above in one pass, overlaps resolved;
* ``defang``    links made safe to show (``hxxp://example[.]com``);
* ``senders``   the official-sender tables (``firmware-config/senders``), every entry with its source;
* ``signature`` the brand a text signs with (【工商银行】 at the start or end);
* ``sender``    sender analysis: spoofed service numbers and brand mismatches as reasons;
* ``enrich``    ``enrich_sms``: fills an ``sms`` object's intelligence fields, category included
                (``analysed_sms``: a completed SMS's object, filled);
* ``classify``  the legal category of a text with its reasons, from the findings and the sender
                analysis above (``classify_rules``: the phrase tables
                and cues; ``classify_model``: the char n-gram model, measured and not used);
                ``corpus`` and ``classify_eval``: the labelled corpus and ``evaluate --sms``;
                ``classify_cv``: grouped cross-validation on its train split (``--cv``);
* ``campaigns`` texts that differ only in filled-in parts grouped into campaigns with their template;
* ``evidence``  a station's SMS pushed and phones reached as intervals, by category, against the
                5,000-message threshold.
"""

from .defang import defang
from .enrich import analysed_sms, enrich_sms
from .extract import extract
from .finding import Finding

__all__ = ["Finding", "analysed_sms", "defang", "enrich_sms", "extract"]
