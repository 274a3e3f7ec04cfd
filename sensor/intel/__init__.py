"""SMS intelligence: what a fake station pushes, turned into what anti-fraud teams and courts act on —
links, numbers and senders extracted, each text classified into the legal categories of the 2017
judicial interpretation (fraud, gambling, prostitution, malware, phishing) or advertising or other,
with the reasons for each verdict, and counted as evidence."""
