"""One module per ``fbs-sensor`` command: its click options, argument checks and the printing of
results. The work itself lives in the packages below; nothing outside ``commands`` and ``cli``
imports from here (``tables`` holds the printing that ``scan`` and ``replay`` share)."""
