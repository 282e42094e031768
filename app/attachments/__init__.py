"""Uploaded files (receipts, attachments): checked by content, stored once in the database,
owned by a draft."""
