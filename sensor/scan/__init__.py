"""Band scanning and calibration: ``bands`` (``--bands`` text → bands), ``plan`` (the fewest tunings
covering a set of channels), ``calibration`` (per-device results on disk, dBFS → dBm) and
``calibrate`` (the receiver's clock error from the cells' FCCH offsets)."""
