"""Hostile input for the reliability tests, generated in the tests (nothing binary is committed)."""
