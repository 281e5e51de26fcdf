"""The OSE Social Contract: versions of its text published by staff, and each operator's acceptance of a version."""
