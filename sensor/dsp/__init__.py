"""Pure signal-processing kernels: numpy arrays and keyword parameters in, arrays or small result
dataclasses out, batched over many bursts; streaming state is an explicit argument (no clocks, I/O,
config or global RNG). May import ``gsm`` and the foundation modules only.

- ``gmsk``          TS 45.004 GMSK modulation from cached slot waveforms (``GmskState``)
- ``spectrum``      spectra and channel power on the 200 kHz raster
- ``channelizer``   FFT analysis channelizer with the equaliser's receive low-pass as its response
                    (``channelizer_kernels``: its compiled spectrum fill and scatter)
- ``fftsize``       block lengths by FFT cost
- ``fcch``          the FCCH tone's facts and shared kernels; ``fcch_search`` candidates on the
                    wideband spectrum and the searches; ``fcch_refine`` a candidate → a burst, its
                    edges and frequency; ``fcch_carriers`` carriers, cadence and receiver ppm;
                    ``fcch_track`` the FCCH at known places of a tracked carrier
- ``prefilter``     the receive low-pass before the equaliser (also the channelizer's channel response)
- ``chanest``       derotation and least-squares channel estimate (``chanest_kernels`` compiled)
- ``mlse``          soft-output max-log-MAP equaliser (``mlse_kernels`` compiled)

The compiled twins are used when numba is installed (``sensor.fastpath``; ``FBS_SENSOR_NUMBA=0``
forces the numpy reference, which the tests hold them to).
"""
