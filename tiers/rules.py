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


# --- entry requirements -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementFacts:
    """What the data says about an operator, for the requirements a tier has to enter it."""

    completed_production_training: bool
    accepted_performance_result: bool


@dataclass(frozen=True)
class RequirementCheck:
    code: str
    label: str
    met: bool
    missing: str  # what is missing, in the words staff's refusal to approve uses
    todo: str  # what the operator does to meet it


# code: (label, what is missing, what to do, the fact that meets it)
REQUIREMENTS = {
    "production-training": (
        "Completed production training",
        "the operator has not completed a production training (a paid level 2 order)",
        "buy a level 2 production training and complete it (its order paid)",
        "completed_production_training",
    ),
    "performance-results": (
        "Accepted machine performance results",
        "no accepted machine performance result that meets its criterion",
        "submit a machine performance result on a certified design's criterion; it counts once a certifier accepts "
        "it and it meets the criterion",
        "accepted_performance_result",
    ),
}


def requirement_checklist(*, requirements: list[str], facts: RequirementFacts) -> list[RequirementCheck]:
    """Each requirement of a tier, met or missing with what to do, in the tier's order. A code the shop does not
    know is never met: staff decide it."""
    checks = []
    for code in requirements:
        if code not in REQUIREMENTS:
            checks.append(RequirementCheck(code, code, False, f"“{code}” is not checked by the shop", "ask staff"))
            continue
        label, missing, todo, fact = REQUIREMENTS[code]
        checks.append(RequirementCheck(code, label, getattr(facts, fact), missing, todo))
    return checks


def unmet_requirements(*, tier_name: str, checklist: list[RequirementCheck]) -> str:
    """Why an operator may not apply for a tier yet, or an empty string when every requirement is met."""
    missing = [f"{check.label} is missing — {check.todo}" for check in checklist if not check.met]
    return f"You cannot apply for the {tier_name} tier yet: " + "; ".join(missing) + "." if missing else ""


# --- True Fans ----------------------------------------------------------------------------------------------------


def true_fans_refusal(*, storefront_name: str, storefront_active: bool, tier_name: str, tier_levels) -> str:
    """Why a storefront may not offer True Fans supporter plans, or an empty string when it may.

    The seed lists True Fans among the Passive tier's goods: a supporter's month is an information good (the
    operator's updates and the work they fund), made with no material production. Every tier from Passive up sells
    level 1 information goods ("as Passive, plus ..."), so every tier that sells level 1 may offer True Fans; a tier
    staff define without level 1 (no information goods) may not. And only an active storefront takes supporters."""
    if not storefront_active:
        return f"{storefront_name} is not an active storefront, so it cannot take supporters."
    if 1 not in tuple(tier_levels):
        return (
            f"The {tier_name} tier does not sell information goods (level 1), so it may not offer True Fans "
            "supporter plans: apply for a tier that does, such as Passive."
        )
    return ""
