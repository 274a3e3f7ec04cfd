"""GSM facts as data: burst geometry, training sequences, TDMA frame arithmetic, the 51-multiframe
of the BCCH carrier's timeslot 0, System Information scheduling, bands and ARFCNs.

One concern per module, each table carrying its 3GPP clause:

- ``burst``       TS 45.002 §5.2   burst layouts; split/assemble batches of 148-bit bursts
- ``training``    TS 45.002 §5.2.3, §5.2.5  normal-burst TSCs 0..7, SCH extended training sequence
- ``tdma``        TS 45.002 §4.3.3  FN ↔ T1/T2/T3, the SCH's T3', hyperframe arithmetic, TC
- ``multiframe``  TS 45.002 §7 Table 3  51-multiframe of timeslot 0 (combined and non-combined)
- ``si_schedule`` TS 45.002 §6.3.1.3  which SI type is sent at which TC
- ``bands``       TS 45.005 §2     bands, ARFCN ↔ Hz, GSMTAP ARFCN flags
"""
