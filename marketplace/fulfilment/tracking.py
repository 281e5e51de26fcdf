"""Where a shopper follows a parcel: the carrier's own tracking page, for the carriers whose address we know."""

from urllib.parse import quote

CARRIERS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{}",
    "gls": "https://gls-group.com/track/{}",
    "la poste": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "royal mail": "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    "postnl": "https://jouw.postnl.nl/track-and-trace/{}",
    "canada post": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={}",
}


def tracking_url(carrier: str, number: str) -> str:
    """The carrier's tracking page for ``number``, or "" for a carrier we do not know (the number is shown)."""
    pattern = CARRIERS.get(" ".join((carrier or "").lower().split()))
    return pattern.format(quote((number or "").strip(), safe="")) if pattern and (number or "").strip() else ""
