"""The money arithmetic, over any amounts: every cent of a payment lands in exactly one share, none negative, and no
share is more than a cent away from its exact value."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.revenue.calculations import (
    CAMPUS_FUND,
    CENT,
    CONTRIBUTOR,
    MARKETING_POOL,
    OPERATOR,
    PAYMENT_FEES,
    Item,
    apportion,
    card_fee,
    split_payment,
)

ZERO = Decimal("0.00")


def money(min_value="0.00", max_value="100000.00"):
    return st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=2)


def percent(max_value="100.00"):
    return st.decimals(min_value=ZERO, max_value=Decimal(max_value), places=2)


weights = st.lists(money(max_value="5000.00") | st.integers(0, 10).map(Decimal), min_size=1, max_size=12)


@given(total=money(), weights=weights)
def test_apportion_adds_up_to_the_total_and_each_part_is_within_a_cent_of_exact(total, weights):
    parts = apportion(total, weights)

    assert sum(parts, ZERO) == total
    assert len(parts) == len(weights)
    whole = sum(weights) or len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * (weight if sum(weights) else 1) / whole
        assert part == part.quantize(CENT)
        assert part >= 0
        assert abs(part - exact) < CENT


@given(total=money(), count=st.integers(1, 12))
def test_apportion_over_equal_weights_differs_by_a_cent_at_most_and_the_earlier_get_the_extra(total, count):
    parts = apportion(total, [Decimal(1)] * count)

    assert sum(parts, ZERO) == total
    assert max(parts) - min(parts) <= CENT
    assert parts == sorted(parts, reverse=True)


@given(weights=weights)
def test_apportion_of_the_weights_own_total_gives_back_each_weight(weights):
    cents = [weight.quantize(CENT) for weight in weights]
    assert apportion(sum(cents, ZERO), cents) == cents


def test_apportion_refuses_negative_amounts_and_weights():
    with pytest.raises(ValueError):
        apportion(Decimal("-1.00"), [Decimal(1)])
    with pytest.raises(ValueError):
        apportion(Decimal("1.00"), [Decimal(1), Decimal(-1)])
    assert apportion(Decimal("1.00"), []) == []


@given(payment=money(), percent=percent("10.00"), fixed=money(max_value="5.00"))
def test_card_fee_is_never_negative_nor_more_than_the_payment(payment, percent, fixed):
    fee = card_fee(payment=payment, percent=percent, fixed=fixed)
    assert ZERO <= fee <= payment
    assert fee == fee.quantize(CENT)


@st.composite
def purchases(draw):
    """What an order holds: lines of several operators, some on certified designs, and shipping charges; paid in
    full, or less (a discount), with or without a card fee."""
    partners = draw(st.lists(st.integers(1, 50), min_size=1, max_size=4, unique=True))
    holder_ids = st.lists(st.integers(1, 1000), max_size=4, unique=True).map(tuple)
    items = [
        Item(partner_id=draw(st.sampled_from(partners)), gross=draw(money("0.00", "20000.00")),
             campus_percent=draw(percent()), line_id=line_id, design_id=line_id, mark_holders=draw(holder_ids))
        for line_id in range(1, draw(st.integers(1, 6)) + 1)
    ]  # fmt: skip
    for partner_id in partners:
        if draw(st.booleans()):
            items.append(Item(partner_id=partner_id, gross=draw(money("0.01", "100.00")), shipping=True))
    gross = sum((item.gross for item in items), ZERO)
    payment = draw(st.sampled_from([gross, (gross * draw(st.integers(0, 100)) / 100).quantize(CENT)]))
    fee = draw(st.sampled_from([ZERO, card_fee(payment=payment, percent=Decimal("2.90"), fixed=Decimal("0.30"))]))
    return payment, items, fee


@given(purchase=purchases(), marketing=percent("30.00"), royalty=percent("20.00"))
def test_a_split_gives_every_cent_of_the_payment_to_exactly_one_share_and_none_is_negative(
    purchase, marketing, royalty
):
    payment, items, fee = purchase

    shares = split_payment(payment=payment, items=items, fee=fee, marketing_percent=marketing, royalty_percent=royalty)

    assert sum((share.amount for share in shares), ZERO) == payment
    assert all(share.amount > 0 for share in shares)
    assert all(share.amount == share.amount.quantize(CENT) for share in shares)
    assert sum((share.amount for share in shares if share.kind == PAYMENT_FEES), ZERO) == fee
    spread = apportion(payment, [item.gross for item in items])
    for item, part in zip(items, spread, strict=True):
        # each thing bought keeps its own part of the payment, whoever gets it
        assert sum((share.amount for share in shares if share.item is item), ZERO) == part


@given(purchase=purchases(), marketing=percent("30.00"), royalty=percent("20.00"))
def test_shipping_goes_to_its_operator_and_royalties_only_to_mark_holders(purchase, marketing, royalty):
    payment, items, fee = purchase

    shares = split_payment(payment=payment, items=items, fee=fee, marketing_percent=marketing, royalty_percent=royalty)

    for share in shares:
        if share.item.shipping:
            assert share.kind in (OPERATOR, PAYMENT_FEES)
        if share.kind == OPERATOR:
            assert share.owner_id == share.item.partner_id
        if share.kind == CONTRIBUTOR:
            assert share.owner_id in share.item.mark_holders
    for item in items:
        royalties = [share.amount for share in shares if share.item is item and share.kind == CONTRIBUTOR]
        assert royalties == [] or max(royalties) - min(royalties) <= CENT


@given(purchase=purchases(), marketing=percent("30.00"), royalty=percent("20.00"))
def test_each_line_gives_the_campus_fund_its_storefronts_percentage_of_what_is_left_after_the_fee(
    purchase, marketing, royalty
):
    payment, items, fee = purchase

    shares = split_payment(payment=payment, items=items, fee=fee, marketing_percent=marketing, royalty_percent=royalty)

    spread = apportion(payment, [item.gross for item in items])
    for item, part, item_fee in zip(items, spread, apportion(fee, spread), strict=True):
        mine = {kind: sum((share.amount for share in shares if share.item is item and share.kind == kind), ZERO)
                for kind in (CAMPUS_FUND, MARKETING_POOL, CONTRIBUTOR)}  # fmt: skip
        royalty_percent = royalty if item.mark_holders else ZERO
        if item.shipping or item.campus_percent + marketing + royalty_percent > 100:
            continue  # shipping is the operator's; percentages above 100 together are scaled down
        net = part - item_fee
        assert abs(mine[CAMPUS_FUND] - net * item.campus_percent / 100) < CENT
        assert abs(mine[MARKETING_POOL] - net * marketing / 100) < CENT
        assert abs(mine[CONTRIBUTOR] - net * royalty_percent / 100) < CENT


def test_a_line_splits_by_the_storefront_percentage_the_policy_and_its_mark_holders():
    line = Item(partner_id=7, gross=Decimal("900.00"), campus_percent=Decimal("7.50"), line_id=1, design_id=3,
                mark_holders=(12, 11, 13))  # fmt: skip
    shipping = Item(partner_id=7, gross=Decimal("12.50"), shipping=True)

    shares = split_payment(payment=Decimal("912.50"), items=[line, shipping], fee=ZERO,
                           marketing_percent=Decimal("5.00"), royalty_percent=Decimal("3.00"))  # fmt: skip

    amounts = {(share.kind, share.owner_id, share.item.line_id): share.amount for share in shares}
    assert amounts == {
        (CAMPUS_FUND, None, 1): Decimal("67.50"),
        (MARKETING_POOL, None, 1): Decimal("45.00"),
        (CONTRIBUTOR, 11, 1): Decimal("9.00"), (CONTRIBUTOR, 12, 1): Decimal("9.00"),
        (CONTRIBUTOR, 13, 1): Decimal("9.00"),
        (OPERATOR, 7, 1): Decimal("760.50"),
        (OPERATOR, 7, None): Decimal("12.50"),
    }  # fmt: skip


def test_royalty_cents_left_over_go_to_the_lowest_user_ids():
    line = Item(partner_id=1, gross=Decimal("100.00"), line_id=1, mark_holders=(30, 10, 20))

    shares = split_payment(payment=Decimal("100.00"), items=[line], fee=ZERO, marketing_percent=ZERO,
                           royalty_percent=Decimal("1.00"))  # fmt: skip

    royalties = [(share.owner_id, share.amount) for share in shares if share.kind == CONTRIBUTOR]
    assert royalties == [(10, Decimal("0.34")), (20, Decimal("0.33")), (30, Decimal("0.33"))]


def test_a_split_refuses_a_fee_above_the_payment_and_an_empty_order():
    line = Item(partner_id=1, gross=Decimal("10.00"), line_id=1)
    with pytest.raises(ValueError):
        split_payment(payment=Decimal("1.00"), items=[line], fee=Decimal("2.00"), marketing_percent=ZERO,
                      royalty_percent=ZERO)  # fmt: skip
    with pytest.raises(ValueError):
        split_payment(payment=Decimal("1.00"), items=[], fee=ZERO, marketing_percent=ZERO, royalty_percent=ZERO)
