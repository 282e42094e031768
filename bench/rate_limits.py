"""The per-client limits on new drafts and uploads, lifted for benchmarks.

Every simulated person of a benchmark comes from one client (one test client, or
127.0.0.1 over HTTP), so the limits meant for one person (WIZARD_DRAFT_RATE "10 per
minute; 100 per hour", WIZARD_UPLOAD_RATE) would answer 429 after a few drafts. Limits
this high keep Flask-Limiter's work in every timing and are never reached.
"""

from __future__ import annotations

UNLIMITED = "1000000 per minute"
CONFIG = {
    "WIZARD_DRAFT_RATE": UNLIMITED,
    "WIZARD_UPLOAD_RATE": UNLIMITED,
    "WIZARD_API_WRITE_RATE": UNLIMITED,
}
ENV = {f"FLASK_{key}": value for key, value in CONFIG.items()}  # for an app process
