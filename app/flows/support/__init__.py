"""The customer support request (SPEC §10): a second flow on the same engine."""
