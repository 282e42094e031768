"""The expense report flow (SPEC §3)."""
