"""A known key updates its row; what the file does not carry is left alone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category, Product, Supplier
from pricing.models import PriceChange
from sales.models import Customer, OrderLine
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.imports.conftest import messages
from tests.sales.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_row_with_a_known_key_updates_that_row(db, run_import):
    # given
    customer = CustomerFactory(external_id="K-7", name="Anna Schmidt", kind="b2c")

    # when
    result = run_import("customers", "customer_id,name,kind\nK-7,Anna Meier,b2c\nK-8,Jonas Becker,b2b\n")

    # then
    assert (result.ok, result.created, result.existing) == (True, 1, 1)
    customer.refresh_from_db()
    assert customer.name == "Anna Meier"
    assert Customer.objects.count() == 2


def test_an_optional_column_absent_from_the_header_keeps_stored_values(category_tree, run_import):
    # given a product with images and a description
    ProductFactory(sku="FW-1", category=category_tree["women"], image_count=5, description="Leinen", stock=7)

    # when a file without those columns updates its name and adds a product
    result = run_import(
        "products",
        "sku,name,category_code,cost,price,vat_rate\n"
        "FW-1,Sommerkleid,FASHION-WOMEN,10.00,23.80,0.19\n"
        "FW-2,Rock,FASHION-WOMEN,8.00,19.95,0.19\n",
    )

    # then
    assert result.ok, messages(result.errors)
    kept = Product.objects.get(sku="FW-1")
    assert (kept.name, kept.image_count, kept.description, kept.stock) == ("Sommerkleid", 5, "Leinen", 7)
    new = Product.objects.get(sku="FW-2")
    assert (new.image_count, new.description, new.stock, new.status, new.attributes) == (0, "", 0, "active", {})


def test_an_empty_optional_cell_clears_the_stored_value(category_tree, run_import):
    # given
    ProductFactory(sku="FW-1", category=category_tree["women"], description="Leinen")

    # when
    run_import("products", "sku,name,category_code,cost,price,vat_rate,description\n"
                           "FW-1,Kleid,FASHION-WOMEN,10.00,23.80,0.19,\n")

    # then
    assert Product.objects.get(sku="FW-1").description == ""


def test_products_name_their_supplier_and_missing_suppliers_are_created(category_tree, run_import):
    # given
    Supplier.objects.create(name="Hanse Moden KG", lead_time_days=3)

    # when
    result = run_import(
        "products",
        "sku,name,category_code,supplier,cost,price,vat_rate\n"
        "FM-1,Chino,FASHION-MEN,Hanse Moden KG,15.00,49.95,0.19\n"
        "FW-1,Kleid,FASHION-WOMEN,Textilwerk Bielefeld GmbH,18.50,59.95,0.19\n"
        "FW-2,Bluse,FASHION-WOMEN,,9.00,29.95,0.19\n",
    )

    # then
    assert result.ok
    assert Product.objects.get(sku="FM-1").supplier.lead_time_days == 3
    assert Product.objects.get(sku="FW-1").supplier.name == "Textilwerk Bielefeld GmbH"
    assert Product.objects.get(sku="FW-2").supplier is None
    assert Supplier.objects.count() == 2


def test_a_new_product_or_a_changed_price_records_a_price_change_at_import_time(category_tree, run_import):
    # given a product at 23.80 and one at 10.00
    ProductFactory(sku="FW-1", category=category_tree["women"], price=Decimal("23.80"))
    ProductFactory(sku="FW-2", category=category_tree["women"], price=Decimal("10.00"))
    started = timezone.now()

    # when FW-1 costs 25.00 now, FW-2 keeps its price and FW-3 is new
    result = run_import(
        "products",
        "sku,name,category_code,cost,price,vat_rate\n"
        "FW-1,Kleid,FASHION-WOMEN,10.00,25.00,0.19\n"
        "FW-2,Rock,FASHION-WOMEN,5.00,10.00,0.19\n"
        "FW-3,Bluse,FASHION-WOMEN,9.00,29.95,0.19\n",
    )

    # then
    assert result.ok
    changes = {c.product.sku: c for c in PriceChange.objects.select_related("product")}
    assert set(changes) == {"FW-1", "FW-3"}
    assert changes["FW-1"].price == Decimal("25.00")
    assert changes["FW-1"].kind == PriceChange.Kind.REGULAR
    assert changes["FW-1"].reason == "import"
    assert started <= changes["FW-1"].valid_from <= timezone.now()
    assert Product.objects.get(sku="FW-1").price == Decimal("25.00")


def test_a_price_history_sets_the_current_price_to_the_latest_valid_one(category_tree, run_import):
    # given
    ProductFactory(sku="FW-1", category=category_tree["women"], price=Decimal("59.95"))
    now = timezone.localtime()
    tomorrow = (now + dt.timedelta(days=1)).date().isoformat()
    last_week = (now - dt.timedelta(days=7)).date().isoformat()

    # when a sale began last week and a new regular price starts tomorrow
    result = run_import(
        "prices",
        f"sku,price,valid_from,kind\nFW-1,64.95,2025-04-01,regular\nFW-1,49.95,{last_week},sale\n"
        f"FW-1,69.95,{tomorrow},regular\n",
    )

    # then the sale price is current; tomorrow's price is stored for later
    assert result.ok, messages(result.errors)
    assert Product.objects.get(sku="FW-1").price == Decimal("49.95")
    assert PriceChange.objects.count() == 3


def test_reparenting_a_category_moves_the_paths_of_its_whole_subtree(category_tree, run_import):
    # given FASHION > FASHION-WOMEN > FASHION-WOMEN-DRESSES
    CategoryFactory(code="FASHION-WOMEN-DRESSES", name="Kleider", parent=category_tree["women"])

    # when FASHION-WOMEN moves under a new root DAMEN defined on an earlier line
    result = run_import("categories", "code,name,parent_code\nDAMEN,Damen,\nFASHION-WOMEN,Damenmode,DAMEN\n")

    # then paths and depths match what Category.save() computes
    assert result.ok, messages(result.errors)
    assert (result.created, result.existing) == (1, 1)
    paths = dict(Category.objects.values_list("code", "path"))
    assert paths["FASHION-WOMEN"] == "/DAMEN/FASHION-WOMEN/"
    assert paths["FASHION-WOMEN-DRESSES"] == "/DAMEN/FASHION-WOMEN/FASHION-WOMEN-DRESSES/"
    for category in Category.objects.select_related("parent"):
        assert category.path == category.compute_path()
        assert category.depth == category.path.count("/") - 2
    assert Category.objects.get(code="FASHION-WOMEN").name == "Damenmode"


def test_a_categories_file_without_parent_code_keeps_the_tree(category_tree, run_import):
    # when
    result = run_import("categories", "code,name\nFASHION-WOMEN,Damen\nGARDEN,Garten\n")

    # then
    assert result.ok
    assert Category.objects.get(code="FASHION-WOMEN").path == "/FASHION/FASHION-WOMEN/"
    assert Category.objects.get(code="GARDEN").path == "/GARDEN/"


def test_reimporting_order_lines_updates_the_net_amount(shop, run_import):
    # given line 1 of A-1: 2 × 59.95
    header = "order_id,line_no,sku,quantity,unit_price,vat_rate,discount,unit_cost\n"

    # when it becomes 3 units with a 5.00 discount
    result = run_import("order_lines", header + "A-1,1,FW-1001,3,59.95,0.19,5.00,18.50\n")

    # then
    assert (result.ok, result.created, result.existing) == (True, 0, 1)
    line = OrderLine.objects.get(order__external_id="A-1", line_no=1)
    assert (line.quantity, line.discount, line.net_amount) == (3, Decimal("5.00"), Decimal("146.93"))
