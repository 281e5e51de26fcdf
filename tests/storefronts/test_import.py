import pytest
from django.core.management import call_command

from tests import factories

pytestmark = pytest.mark.django_db


def test_import_applies_the_tier_rules_row_by_row(tmp_path, capsys):
    ebook_design = factories.design(name="Handbook", category_name="Information goods > Books")
    from catalog.models import Product

    ebook = Product.objects.create(title="Handbook ebook", upc="EBOOK", design=ebook_design, is_public=True,
                                   product_class=factories.product_class("level-1-digital"))  # fmt: skip
    ebook.categories.add(ebook_design.category)
    printer = factories.level_product(factories.design(name="D3D printer"), 1)
    printer.upc = "PRINTER"
    printer.save()
    store = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    rows = "upc,price,stock\nEBOOK,12.00,\nPRINTER,900.00,3\nNOPE,1.00,1\nEBOOK,abc,\n"
    (tmp_path / "offers.csv").write_text(rows)

    call_command("import_offers", store.slug, str(tmp_path / "offers.csv"))

    out, err = capsys.readouterr()
    assert "1 offers saved, 3 refused." in out
    assert "line 3: refused: The Passive tier offers digital goods only; “D3D printer level 1” is a physical" in err
    assert "line 4: refused: no product with UPC “NOPE”" in err
    assert "line 5: refused: price and stock must be numbers" in err
    assert list(store.partner.stockrecords.values_list("product__upc", "price")) == [("EBOOK", 12)]
