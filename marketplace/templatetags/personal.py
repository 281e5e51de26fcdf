"""``{% personal "name" key=value %}``: a piece of a page that is the requester's own (the account bar, the basket,
a product's wishlist button). It renders like an include; the page cache (``marketplace.ops.pagecache``) stores the
page without it and renders it afresh for each requester. And the small look-ups those pieces make, one query each.
"""

from types import SimpleNamespace

from django import template
from django.db.models import Exists, OuterRef
from oscar.core.loading import get_class, get_model

from marketplace.accounts.facts import account_facts
from marketplace.ops.pagecache import PIECES, piece_opening

register = template.Library()
ProductAlert = get_model("customer", "ProductAlert")
ProductReview = get_model("reviews", "ProductReview")
Vote = get_model("reviews", "Vote")
WishList = get_model("wishlists", "WishList")
WishListLine = get_model("wishlists", "Line")
ProductAlertForm = get_class("customer.forms", "ProductAlertForm")


class PersonalNode(template.Node):
    def __init__(self, name: str, arguments: dict):
        self.name, self.arguments = name, arguments

    def render(self, context):
        arguments = {key: value.resolve(context) for key, value in self.arguments.items()}
        piece = context.template.engine.get_template(PIECES[self.name])
        with context.push(**arguments):
            html = piece.render(context)
        return f"{piece_opening(self.name, arguments)}{html}<!--/p-->"


@register.tag
def personal(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1].strip("\"'") not in PIECES:
        raise template.TemplateSyntaxError(f"{{% personal %}} names one of {', '.join(PIECES)}")
    arguments = template.base.token_kwargs(bits[2:], parser)
    if len(arguments) != len(bits) - 2:
        raise template.TemplateSyntaxError("{% personal %} takes key=value arguments only")
    return PersonalNode(bits[1].strip("\"'"), arguments)


@register.simple_tag
def wishlists_for(user, product) -> SimpleNamespace:
    """The shopper's wish lists, and those that hold ``product`` (a product or its id): one query."""
    if not user.is_authenticated:
        return SimpleNamespace(all=[], holding=[])
    lists = list(
        WishList.objects.filter(owner=user).annotate(
            holds=Exists(WishListLine.objects.filter(wishlist=OuterRef("pk"), product_id=int(str(product))))
        )
    )
    return SimpleNamespace(all=lists, holding=[wishlist for wishlist in lists if wishlist.holds])


@register.simple_tag(takes_context=True)
def may_review(context, product) -> bool:
    """Oscar's rule (``Product.is_review_permitted``) from the product's id: signed in, and no review of it yet.
    Asked once per request and product, however many pieces ask."""
    request, user, product_id = context["request"], context["request"].user, int(str(product))
    if not user.is_authenticated:
        return False
    known = request.__dict__.setdefault("_may_review", {})
    if product_id not in known:
        known[product_id] = not ProductReview.objects.filter(product_id=product_id, user=user).exists()
    return known[product_id]


@register.simple_tag(takes_context=True)
def top_reviews(context, product, slug) -> SimpleNamespace:
    """A product's first three approved reviews (Oscar's order), each with whether this shopper voted on it: one
    query, where Oscar's template asks once more per review."""
    user = context["request"].user
    reviews = ProductReview.objects.approved().filter(product_id=int(str(product))).select_related("user")
    if user.is_authenticated:
        reviews = reviews.annotate(voted=Exists(Vote.objects.filter(review=OuterRef("pk"), user=user)))
    return SimpleNamespace(reviews=list(reviews[:3]), product=SimpleNamespace(pk=int(str(product)), slug=slug))


@register.simple_tag
def stock_alert_for(user, product) -> SimpleNamespace:
    """Whether the shopper already waits for ``product`` (signed in), and the form to ask (an e-mail for a guest)."""
    active = user.is_authenticated and ProductAlert.objects.filter(
        product_id=int(str(product)), user=user, status=ProductAlert.ACTIVE).exists()  # fmt: skip
    return SimpleNamespace(active=active, form=ProductAlertForm(user=user, product=None))


@register.simple_tag(takes_context=True)
def account(context) -> SimpleNamespace:
    """The signed-in person's dashboard access, certifier role and unread notifications: one query per request."""
    return account_facts(context["request"])
