"""The sensor→collector transport only: the envelope (``envelope.py``), the durable outbox
(``outbox.py``, ``sqlite_tx.py``), the CurveZMQ link (``link.py``, ``reply.py``) and its keys (``keys.py``)."""
