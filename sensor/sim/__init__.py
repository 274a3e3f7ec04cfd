"""The GSM downlink simulator: scenes rendered to IQ exactly as a radio would deliver them, with the
ground truth beside, so every receiver and detection claim is measured against truth.

- ``specs``       the scene's dataclasses; ``scene`` its TOML format (documented there) and loading;
                  ``fakes`` the fake-station behaviours reported in the literature
- ``c0``          one cell's BCCH carrier: 51-multiframe, channel coding, GMSK from cached slot
                  waveforms; ``traffic`` the blocks a cell sends on its CCCH and dedicated channels,
                  ``dedicated`` where they go on the carrier and their (ciphered) bursts, ``a51``
                  the A5/1 keystream
- ``render``      cells → channel → mixer → receiver front end, retunable; ``mixer`` the FFT
                  synthesis filter bank; ``propagation`` path loss, shadowing, TU6 fading, static
                  paths; ``frontend`` noise, DC, IQ imbalance, ADC; ``route`` drives
- ``phones``      the phones around a fake (arrivals, the lure, identities); ``procedure`` what a fake
                  does to one phone, frame by frame; ``campaigns`` its SMS templates filled per phone;
                  ``allocation`` assignments and SDCCH sub-channels; ``fake_traffic`` and
                  ``real_traffic`` a fake's and a real cell's sessions with their truth;
                  ``scene_traffic`` all of a scene's, deterministic for its seed
- ``output``      SigMF with the ground truth under ``fbs:scene``, .cfile, drive segments, NMEA track
- ``radio``       the simulator as a tunable virtual radio (``--device sim``) and its GPS

Uses the encoders of ``l3`` and ``coding`` and the kernels of ``dsp``; nothing below imports it
(the device registry names ``sim.radio`` by string).
"""
