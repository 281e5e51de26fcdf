from django import template

from catalog import richtext

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown to HTML, then sanitised with the shop's allow-list (``catalog.richtext``)."""
    return richtext.render_markdown(text)


@register.filter
def rich_text(html: str) -> str:
    """Stored rich text (product and category descriptions), sanitised again on the way out."""
    return richtext.render_html(html)
