"""Detection: each cell judged by rules (one per file in ``rules/``), their evidence combined into a
score and a verdict with reasons (``scoring.py``), against the other cells heard, the area baseline
(``baseline.py``), the band plan and the receiver's calibration (``context.py``)."""
