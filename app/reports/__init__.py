"""Submitted expense reports: the database, never session memory."""
