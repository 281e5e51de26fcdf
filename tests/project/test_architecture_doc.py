"""docs/architecture.md names files to read: each of them exists, so the page stays true as the code moves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_the_architecture_page_names_exists():
    page = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`([\w./]+\.(?:py|md|toml))`", page))
    assert len(named) >= 20
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
