"""Where a TRANSMITTER is: locating a fake station from the power readings taken at many positions.

This package owns localisation: the readings as the fits see them (``observations``), the local
east/north plane (``enu``), the log-distance model the fits share (``model``), the fit of one fixed
transmitter and its 95 % region (``fit``, with the region's geometry in ``region`` and the results
and their CONTRACT ``location`` object in ``estimate``), where one more reading would help most
(``guidance``), moving transmitters (``moving``), the receiver-side shadowing shared with the
real cells heard alongside (``reference``), and the joint fit of power and the Doppler a moving
receiver measures (``joint``; a receiver's cells as its rows: ``carriers``). It may import the
foundation modules, ``gps`` (position geometry) and ``cells`` (a receiver's cell observations, for
``carriers``), never the collector, commands or anything above it; the collector, commands, run
and replay import it.
"""
