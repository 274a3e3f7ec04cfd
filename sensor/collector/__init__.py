"""The collector: receives the sensors' messages, stores each once, and acknowledges it after the commit.

``server.Collector`` (ZeroMQ ROUTER with CurveZMQ, in a thread) → ``intake.Intake`` (checks,
one commit per batch, replies) → a ``store.Store`` (``sqlite_store.SqliteStore`` by default,
``postgres_store.PostgresStore``): every message once, readings of cells, and the phone sessions
and SMS the sensors followed on fake stations' dedicated channels (``Store.sessions``,
``Store.sms``, per-transmitter ``Store.activity``), as the rows of ``rows`` (what a message
becomes when stored). Localisation, exports and the dashboard read
the store through the same interface.
Importing this package imports no ZeroMQ: ``server`` does, when it is used.
"""
