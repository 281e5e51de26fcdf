"""The open API: read-only, anonymous, public data only. Each endpoint reads through the selectors its public page
uses (``marketplace.browse``, ``storefronts``, ``certification``, ``revenue``), so the API never shows what a page
hides."""
