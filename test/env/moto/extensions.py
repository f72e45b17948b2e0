"""PrivateLink behaviour moto lacks, patched in at start-up. See README.md beside this file."""


def apply() -> None:
    """Install every extension. Idempotent."""
