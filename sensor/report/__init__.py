"""Fraud-heat reports: one self-contained HTML file (and its data as JSON) summarising a period of
the collector's readings, phones' sessions and SMS for the analysts who decide where to patrol.

* ``period``    ``--from``/``--to`` as the half-open range of stored UTC times;
* ``query``     the figures as grouped SQL over the store's indexed columns (both backends);
* ``hexes``     readings on H3 hexagons (``h3``): fake-station activity and coverage;
* ``districts`` the user's GeoJSON districts and point-in-polygon;
* ``build``     the report's data (the ``--json`` schema): stations located, activity, SMS figures;
* ``basemap``   raster tiles from a local PMTiles archive, embedded as ``data:`` images;
* ``svg``       the plots as inline SVG (maps, bar charts), every text escaped;
* ``page``      the HTML page: no script, no request, a Content-Security-Policy that forbids them.
"""
