"""Fakes of the radio drivers' boundaries: pyrtlsdr, SoapySDR, hackrf_transfer/hackrf_info."""
