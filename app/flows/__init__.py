"""Flows: an engine that serves any multi-step flow declared as data, and the flows."""
