"""The Specifications Metric's question set, and contributors' answers for three designs."""


def load_specs() -> None:
    """Idempotent: loading the demo again adds nothing."""
