"""What each tier allows. One function, ``check_offer``, decides whether a storefront may make an offer; every
path that creates or changes an offer (dashboard, admin, import, API) goes through it via ``services``."""

from dataclasses import dataclass

LEVEL_NAMES = {1: "level 1 (product)", 2: "level 2 (production)", 3: "level 3 (distribution licence)"}


# What each rule of ``check_offer`` is about, in the words a refusal names it by.
RULE_NAMES = {
    "storefront-inactive": "active storefronts",
    "level": "levels",
    "mark": "the OSE Certified mark",
    "physical": "physical goods",
    "category": "categories",
}


def refusal(rule: str, message: str) -> str:
    """A tier rule's refusal as the one line a page shows at its top."""
    return f"Not saved — the tier rule on {RULE_NAMES.get(rule, rule)} refuses this offer: {message}"


class TierRuleError(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class OfferFacts:
    storefront_name: str
    storefront_active: bool
    tier_name: str
    tier_levels: tuple[int, ...]
    tier_physical_goods: bool
    tier_category_paths: tuple[tuple[str, str], ...]  # (path, name) of category trees; empty = every category
    product_title: str
    product_level: int
    product_is_physical: bool
    product_category_paths: tuple[str, ...]
    product_design_name: str = ""
    operator_holds_mark: bool = False


def check_offer(facts: OfferFacts) -> None:
    """Raise TierRuleError naming the first rule the offer breaks."""
    if not facts.storefront_active:
        raise TierRuleError(
            "storefront-inactive", f"{facts.storefront_name} is not an active storefront, so it cannot make offers."
        )
    if facts.product_level not in facts.tier_levels:
        allowed = ", ".join(LEVEL_NAMES[level] for level in facts.tier_levels)
        raise TierRuleError(
            "level",
            f"The {facts.tier_name} tier may not offer {LEVEL_NAMES[facts.product_level]}: it offers {allowed}.",
        )
    if facts.product_level == 3 and not facts.operator_holds_mark:
        raise TierRuleError(
            "mark",
            f"Only holders of the OSE Certified mark for {facts.product_design_name or 'this design'} may offer "
            "its distribution licence: contribute to its certification first.",
        )
    if facts.product_is_physical and not facts.tier_physical_goods:
        raise TierRuleError(
            "physical",
            f"The {facts.tier_name} tier offers digital goods only; “{facts.product_title}” is a physical product.",
        )
    if facts.tier_category_paths and not any(
        product_path.startswith(tier_path)
        for product_path in facts.product_category_paths
        for tier_path, _ in facts.tier_category_paths
    ):
        allowed = ", ".join(name for _, name in facts.tier_category_paths)
        raise TierRuleError(
            "category",
            f"The {facts.tier_name} tier may not offer “{facts.product_title}” in its category; "
            f"it sells in: {allowed}.",
        )
