"""fbs-sensor: a passive GSM fake-base-station (IMSI-catcher) sensor."""

__version__ = "0.1.0"
