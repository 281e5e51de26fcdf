"""What in a page could run script: script elements, event-handler attributes and script URLs, read with Python's
own HTML parser (the way a browser tokenises, not a regular expression)."""

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data:text/html)", re.IGNORECASE)
# What a browser's URL parser ignores: tab and newlines anywhere, C0 controls and spaces at either end (a
# zero-width space in "java\u200bscript:" makes an invalid scheme, so a harmless relative URL).
TAB_NEWLINE = re.compile(r"[\t\n\r]")


def _as_browser_reads(url: str) -> str:
    return TAB_NEWLINE.sub("", url).strip("".join(map(chr, range(0x21))))


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "base"):
            src = dict(attrs).get("src")
            if src is None and tag == "script":
                self.inline_scripts += 1
            else:
                self.found.append(f"<{tag} src={src!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES and value and SCRIPT_URL.match(_as_browser_reads(value)):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")

    handle_startendtag = handle_starttag


def active_content(html: str) -> list[str]:
    """Every place in ``html`` that could run script (inline scripts counted, not listed: the site has its own)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return sorted(finder.found) + [f"{finder.inline_scripts} inline scripts"]


def injected(page: str, baseline: str) -> list[str]:
    """What ``page`` can run that the same page with harmless text (``baseline``) cannot."""
    before = active_content(baseline)
    return [item for item in active_content(page) if item not in before]


def form_data(html: str, form_id: str | None = None, action_contains: str = "") -> dict:
    """The values a browser would post from a form of the page: inputs, checked boxes, selected options, text."""

    class _Form(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.data, self.inside, self.select, self.textarea = {}, False, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = (form_id is None or a.get("id") == form_id) and action_contains in (a.get("action") or "")
            if not self.inside or not a.get("name"):
                return
            if tag == "input" and a.get("type") not in ("submit", "button", "file", "image"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.data.setdefault(a["name"], a.get("value", "on" if a.get("type") == "checkbox" else ""))
            elif tag == "select":
                self.select = a["name"]
                self.data.setdefault(a["name"], "")
            elif tag == "textarea":
                self.textarea = a["name"]
                self.data[a["name"]] = ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.inside and self.textarea:
                self.data[self.textarea] += data

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)

    parser = _Form()
    original = parser.handle_starttag

    def with_options(tag, attrs):
        a = dict(attrs)
        if tag == "option" and parser.inside and parser.select and "selected" in a:
            parser.data[parser.select] = a.get("value", "")
        original(tag, attrs)

    parser.handle_starttag = with_options
    parser.feed(html)
    return parser.data
