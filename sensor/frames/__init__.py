"""Decoded blocks as the outside world sees them: CONTRACT.md's ``block`` JSON object
(:mod:`.block`), GSMTAP v2 headers and a UDP sender (:mod:`.gsmtap`), pcap writing and reading
(:mod:`.pcap`)."""
