"""IQ sources: radios and recordings behind one interface, producing ``model.IQBlock``\\ s.

- ``base``            the ``Source`` interface; ``DeviceSource`` with its five-method driver boundary
- ``devices``         ``--device`` specs and the registry of backends, each imported by name only
                      when used (``rtlsdr``, ``soapy``, ``hackrf``; the simulator's ``sim.radio``)
- ``rtlsdr``, ``soapy``, ``hackrf``   one radio backend a file, driver imports inside the backend;
                      ``pump`` keeps a byte stream drained and counts drops, ``process_stream`` runs
                      a tool whose stdout is the stream (``hackrf_transfer``)
- ``recording``, ``sigmf``, ``raw``, ``open``   recordings as sources (SigMF captures and archives,
                      raw files), streamed with ``preadv`` into one buffer; ``convert`` SigMF
                      datatypes ↔ complex64 (into a new array or a place given); ``deferred`` a
                      block whose samples are read when its consumer says where (the stream
                      receiver's window); ``sigmf_writer`` writes SigMF, valid at every moment
- ``profiles``        receiver profiles from ``firmware-config/receivers/*.toml``

May import the foundation modules only: nothing here knows GSM, positions or the simulator.
"""
