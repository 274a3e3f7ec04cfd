"""The long-running sensor (``fbs-sensor run``): scanning, judging, publishing, for a whole shift."""
