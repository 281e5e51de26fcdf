import contextlib
import re
import zlib

import pytest

from marketplace.contract import services
from tests import factories

TEXT_V1 = "# Principles\n\n1. **Open source.** Improvements go back to the commons.\n2. Share with the campus fund."
TEXT_V2 = TEXT_V1 + "\n3. **Transparency.** Say where the money went."


@pytest.fixture
def staff_user():
    return factories.staff("contract.view_contractversion", "contract.add_contractversion",
                           email="contract-staff@example.com")  # fmt: skip


@pytest.fixture
def publish(staff_user, django_capture_on_commit_callbacks):
    """Publish a version as staff (operators are asked by e-mail, the task run in-process)."""

    def publish(text=TEXT_V1, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.publish_version(text=text, staff=staff_user, **kwargs)

    return publish


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF made by fpdf2: its page streams inflated, the strings of its text operators joined."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    text = []
    for stream in streams:
        with contextlib.suppress(zlib.error):
            stream = zlib.decompress(stream)
        text += [part.decode("latin-1") for part in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", stream, re.S)]
    return " ".join(text).replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")
