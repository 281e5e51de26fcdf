"""Rich text that people outside staff write (product and category descriptions, design documentation, storefront
pages) made inert: one allow-list of tags, attributes and URL schemes (nh3, the Rust ammonia sanitiser), applied when
the text is saved and again when it is rendered, so a row written before the rule, or by a path that skipped the
form, still renders harmless."""

import markdown as markdown_lib
import nh3
from django.db import models
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small",
    "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "caption", "thead", "tbody",
    "tfoot", "tr", "th", "td", "span", "div", "img", "figure", "figcaption",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str, *, images: bool = True) -> str:
    """``html`` with every tag, attribute and URL scheme outside the allow-list removed (no script, no event
    handler, no style, no javascript: or data: URL); links get rel="nofollow noopener". Without ``images``, no
    picture either: in an e-mail, a picture from the writer's server tells it who opened the mail, and when."""
    tags, attributes = (TAGS, ATTRIBUTES) if images else (TAGS - {"img"}, {k: v for k, v in ATTRIBUTES.items()
                                                                         if k != "img"})  # fmt: skip
    return nh3.clean(
        html or "", tags=tags, attributes=attributes, url_schemes=URL_SCHEMES, link_rel="nofollow noopener"
    )


def render_html(html: str, *, images: bool = True) -> SafeString:
    """Stored rich text, cleaned again on the way out."""
    return mark_safe(clean_html(html, images=images))  # noqa: S308 - cleaned by nh3 just above


def render_markdown(text: str, *, images: bool = True) -> SafeString:
    """Markdown (design documentation, storefront pages) to HTML, then cleaned: raw HTML in it is sanitised too."""
    html = markdown_lib.markdown(text or "", extensions=["tables"], output_format="html")
    return render_html(html, images=images)


class SanitisedHTMLField(models.TextField):
    """A text field of rich text, cleaned with ``clean_html`` each time its row is saved, whoever saves it."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = clean_html(value)
            setattr(model_instance, self.attname, value)
        return value
