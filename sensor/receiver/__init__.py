"""The receiver: IQ blocks of any source → decoded L2 blocks of every carrier in the band.

- ``stream``       IQ blocks → overlapping windows, breaks at retunes and gaps, carriers'
                   synchronised/lost states, when a window must be searched
- ``unexplained``  does a stretch show a carrier the known ones do not explain (a cheap spectrum)?
- ``wideband``     every carrier of a stretch of IQ: found by its FCCH or carried over as a ``Track``,
                   channelized around its timeslot 0
- ``channel``      one carrier: FCCH → SCH → frame-timing fit → equalised bursts → blocks, or from a
                   carried-over timing; reads its cell's CCCH configuration from SI3 (``l3``)
- ``blocks``       51-multiframe demapping and batched xCCH decoding (incremental ``BlockAssembler``,
                   all-at-once ``decode_frames``)

May import the kernels (``dsp``, ``coding``), the tables (``gsm``), the protocol codecs (``l2``,
``l3``) to steer itself, and the foundation modules; never the cells, detection or outputs above it.
"""
