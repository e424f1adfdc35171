"""Kinds of the catalogue: categories (a tree with materialised paths) and products."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import PATH_SEPARATOR, Category, Product, Supplier
from pricing.models import PriceChange
from shopmgr.core import bulk

from . import parsing as p
from .base import (
    Column,
    ImportContext,
    ImportResult,
    Kind,
    Table,
    fetch_map,
    resolve,
    write_columns,
)

PATH_MAX_LENGTH = Category._meta.get_field("path").max_length


@dataclass
class CategoryPlan:
    stored: dict[str, tuple]  # code -> (pk, name, parent_code, path, depth)
    target: dict[str, tuple]  # code -> (name, parent_code, path, depth) after the import
    new_codes: list[str]


class CategoriesKind(Kind):
    """categories: code, name, parent_code*. A parent may be stored or defined on an earlier line.

    Bulk writes bypass Category.save(), so path ("/ROOT/CHILD/") and depth are computed here,
    for the rows of the file and for every stored descendant of a category that moved.
    """

    name = "categories"
    model = Category
    columns = (
        Column("code", p.code(64), field="code"),
        Column("name", p.text(200), field="name"),
        Column("parent_code", p.code(64), required=False, field="parent"),
    )
    key = ("code",)

    def check_row(self, row, line, result):
        if row[2] is not None and row[2] == row[0]:
            result.error(line, "parent_code", "a category cannot be its own parent")

    def prepare(self, table: Table, result: ImportResult, ctx: ImportContext) -> CategoryPlan:
        stored = {
            code: (pk, name, parent_code, path, depth)
            for code, pk, name, parent_code, path, depth in Category.objects.select_for_update(of=("self",))
            .values_list("code", "pk", "name", "parent__code", "path", "depth")
        }
        parent_of = {code: values[2] for code, values in stored.items()}
        name_of = {code: values[1] for code, values in stored.items()}
        keep_parents = not table.has("parent_code")
        defined: dict[str, int] = {}
        file_codes = table.distinct("code")
        for (code, name, parent), line in zip(table.rows, table.lines, strict=True):
            if code is None:
                continue
            if parent is not None and parent not in stored and parent not in defined:
                later = " (it is defined on a later line: put parents first)" if parent in file_codes else ""
                result.error(line, "parent_code", f'unknown category "{parent}"{later}')
            defined[code] = line
            if name is not None:
                name_of[code] = name
            if not (keep_parents and code in stored):
                parent_of[code] = parent

        for code, line in defined.items():
            cycle = _cycle_from(code, parent_of)
            if cycle:
                result.error(line, "parent_code", "the tree would have a cycle: " + " → ".join(cycle))
        if result.errors:
            return CategoryPlan(stored, {}, [])

        paths: dict[str, str] = {}
        for code in parent_of:
            _path_of(code, parent_of, paths)
        for code, line in defined.items():
            if len(paths[code]) > PATH_MAX_LENGTH:
                result.error(line, "code", f"the category path is longer than {PATH_MAX_LENGTH} characters")
        target = {
            code: (name_of[code], parent_of[code], paths[code], paths[code].count(PATH_SEPARATOR) - 2)
            for code in parent_of
        }
        new_codes = [code for code in defined if code not in stored]
        return CategoryPlan(stored, target, new_codes)

    def write(self, table: Table, plan: CategoryPlan, ctx: ImportContext) -> tuple[int, int]:
        fields = ["code", "name", "parent", "path", "depth"]
        pks = {code: values[0] for code, values in plan.stored.items()}
        # New categories go in level by level, so that every parent has its id before its children.
        by_depth: dict[int, list[str]] = {}
        for code in plan.new_codes:
            by_depth.setdefault(plan.target[code][3], []).append(code)
        for depth in sorted(by_depth):
            codes = by_depth[depth]
            bulk.upsert(Category, ["code"], fields, [_category_row(code, plan.target[code], pks) for code in codes])
            pks.update(Category.objects.filter(code__in=codes).values_list("code", "pk"))
        # Stored categories named in the file, and stored descendants whose path moved.
        changed = [
            _category_row(code, values, pks)
            for code, values in plan.target.items()
            if code in plan.stored and values != plan.stored[code][1:]
        ]
        if changed:
            bulk.upsert(Category, ["code"], fields, changed)
        created = len(plan.new_codes)
        return created, len(table.rows) - created


def _category_row(code: str, target: tuple, pks: dict[str, int]) -> tuple:
    name, parent_code, path, depth = target
    return (code, name, pks[parent_code] if parent_code else None, path, depth)


def _cycle_from(code: str, parent_of: dict[str, str | None]) -> list[str] | None:
    chain = [code]
    parent = parent_of.get(code)
    while parent is not None:
        if parent in chain:
            return [*chain[chain.index(parent):], parent]
        chain.append(parent)
        parent = parent_of.get(parent)
    return None


def _path_of(code: str, parent_of: dict[str, str | None], paths: dict[str, str]) -> str:
    """Materialised path "/ROOT/CHILD/" (the rule of Category.compute_path), without recursion."""
    chain = []
    current: str | None = code
    while current is not None and current not in paths:
        chain.append(current)
        current = parent_of.get(current)
    prefix = paths[current] if current is not None else PATH_SEPARATOR
    for node in reversed(chain):
        prefix = f"{prefix}{node}{PATH_SEPARATOR}"
        paths[node] = prefix
    return paths[code]


@dataclass
class ProductPlan:
    supplier_pks: dict[str, int]
    missing_suppliers: list[str]
    stored_prices: dict[str, tuple[int, Decimal]]  # sku -> (pk, price)


class ProductsKind(Kind):
    """products: `price` is the current gross price. A new product, or one whose price differs
    from the stored one, gets a PriceChange (regular, valid from the moment of the import)."""

    name = "products"
    model = Product
    also_writes = (PriceChange,)
    columns = (
        Column("sku", p.text(64), field="sku"),
        Column("name", p.text(300), field="name"),
        Column("category_code", p.text(64), field="category"),
        Column("supplier", p.text(200), required=False, field="supplier"),
        Column("cost", p.decimal(places=4, what="a net unit cost"), field="cost"),
        Column("price", p.money(), field="price"),
        Column("vat_rate", p.VAT_RATE, field="vat_rate"),
        Column("stock", p.integer(min_value=0), required=False, default=0, field="stock"),
        Column("status", p.choice(Product.Status.values), required=False,
               default=Product.Status.ACTIVE.value, field="status"),
        Column("launched_on", p.date, required=False, field="launched_on"),
        Column("description", p.text(), required=False, default="", field="description"),
        Column("image_count", p.integer(min_value=0, max_value=32767), required=False, default=0,
               field="image_count"),
    )
    key = ("sku",)
    insert_only = {"attributes": {}}

    def check_row(self, row, line, result):
        cost, price, vat_rate = row[4], row[5], row[6]
        if price and price / (1 + vat_rate) < cost:
            result.warn(line, "price", f"the net price {price / (1 + vat_rate):.2f} is below the cost {cost}")

    def prepare(self, table: Table, result: ImportResult, ctx: ImportContext) -> ProductPlan:
        categories = fetch_map(Category.objects, "code", ("pk",), table.distinct("category_code"))
        resolve(table, result, "category_code", categories, "category")
        names = table.distinct("supplier")
        supplier_pks = fetch_map(Supplier.objects, "name", ("pk",), names)
        stored = fetch_map(Product.objects.select_for_update(), "sku", ("pk", "price"), table.distinct("sku"))
        return ProductPlan(supplier_pks, sorted(names - supplier_pks.keys()), stored)

    def write(self, table: Table, plan: ProductPlan, ctx: ImportContext) -> tuple[int, int]:
        if plan.missing_suppliers:
            lead_time = Supplier._meta.get_field("lead_time_days").get_default()
            bulk.upsert(Supplier, ["name"], ["name", "lead_time_days"],
                        [(name, lead_time) for name in plan.missing_suppliers])
            plan.supplier_pks.update(
                Supplier.objects.filter(name__in=plan.missing_suppliers).values_list("name", "pk")
            )
        i_supplier = table.index("supplier")
        for row in table.rows:
            if row[i_supplier] is not None:
                row[i_supplier] = plan.supplier_pks[row[i_supplier]]
        write_columns(self, table)

        repriced = {
            row[0]: row[5]
            for row in table.rows
            if row[0] not in plan.stored_prices or plan.stored_prices[row[0]][1] != row[5]
        }
        if repriced:
            product_pks = fetch_map(Product.objects, "sku", ("pk",), set(repriced))
            bulk.upsert(
                PriceChange,
                ["product", "valid_from"],
                ["product", "valid_from", "price", "kind", "reason", "created_by", "created_at"],
                [
                    (product_pks[sku], ctx.now, price, PriceChange.Kind.REGULAR, "import",
                     ctx.by.pk if ctx.by else None, ctx.now)
                    for sku, price in repriced.items()
                ],
            )
        created = len(table.rows) - len(plan.stored_prices)
        return created, len(plan.stored_prices)
