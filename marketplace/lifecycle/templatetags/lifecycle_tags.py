"""Units and QC on pages of apps below this one (fulfilment's order parts, the storefront page, the certifier's
application page) and above it (the design page): loaded by their templates, so no lower app imports lifecycle."""

from django import template

from marketplace.lifecycle import selectors

register = template.Library()


@register.simple_tag
def part_units(part):
    """``{% part_units part as units %}``: the part's units, each with its QC state."""
    return selectors.part_units(part)


@register.simple_tag
def line_units(line):
    """``{% line_units line as units %}``: the line's units that shipped, for the shopper's order page."""
    return selectors.line_units(line)


@register.simple_tag
def unit_qc(unit):
    """``{% unit_qc unit as qc %}`` for ``lifecycle/_unit_qc.html``."""
    return selectors.unit_qc(unit)


@register.simple_tag
def storefront_qc(storefront):
    """``{% storefront_qc storefront as qc_rates %}``: its first-pass yield per design."""
    return selectors.storefront_pass_rates(storefront)


@register.simple_tag
def network_qc(design):
    """``{% network_qc design as network %}``: first-pass yield per producing storefront and overall."""
    return selectors.network_pass_rates(design)


@register.simple_tag
def holders_qc(design):
    """``{% holders_qc design as holders %}``: the QC of the mark holders' units, for a certifier."""
    return selectors.holders_qc(design)
