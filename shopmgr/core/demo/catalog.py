"""Demo catalogue: the category tree, suppliers, products, their price history and competitor prices.

Rows are plain tuples in the field order of the `*_FIELDS` constants; ids are assigned here,
starting at 1 (the seeder writes into empty tables). Besides the rows, `build_catalog` returns the
per-product facts the order generator needs (price timeline, cost, VAT, availability, popularity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from .timeline import Timeline, to_datetime
from .words import (
    AUTHOR_FIRST,
    AUTHOR_LAST,
    BRANDS,
    CLOTHING_SIZES,
    COLOURS,
    DESCRIPTION_DETAILS,
    DESCRIPTION_OPENERS,
    HARD_MATERIALS,
    KIDS_SIZES,
    LEATHERS,
    LEAVES,
    LINES,
    NONFICTION_TOPICS,
    ROOT_NAMES,
    SUPPLIERS,
    TEXTILES,
    TITLE_HEAD,
    TITLE_TAIL,
)

CATEGORY_FIELDS = ("id", "code", "name", "parent", "path", "depth")
SUPPLIER_FIELDS = ("id", "name", "lead_time_days")
PRODUCT_FIELDS = (
    "id", "sku", "name", "category", "supplier", "status", "cost", "price", "vat_rate", "stock",
    "launched_on", "description", "image_count", "attributes",
)
PRICE_CHANGE_FIELDS = ("id", "product", "price", "valid_from", "kind", "created_by", "reason", "created_at")
COMPETITOR_PRICE_FIELDS = ("id", "product", "competitor", "price", "observed_at")

ROOTS = tuple(LEAVES)  # FASHION, SHOES, ELECTRONICS, HOME, GARDEN, SPORTS, TOYS, BEAUTY, BOOKS, FOOD
REDUCED_VAT_ROOTS = ("BOOKS", "FOOD")  # 7 % (UStG §12(2) Nr. 1, Anlage 2)
VAT_PCT = {root: 7 if root in REDUCED_VAT_ROOTS else 19 for root in ROOTS}
VAT_DECIMAL = {7: Decimal("0.0700"), 19: Decimal("0.1900")}
SKU_PREFIX = {"FASHION": "FAS", "SHOES": "SHO", "ELECTRONICS": "ELE", "HOME": "HOM", "GARDEN": "GAR",
              "SPORTS": "SPO", "TOYS": "TOY", "BEAUTY": "BEA", "BOOKS": "BOO", "FOOD": "FOO"}
# Share of the assortment (number of SKUs) per root.
ASSORTMENT_SHARE = {"FASHION": 28, "SHOES": 10, "ELECTRONICS": 12, "HOME": 12, "GARDEN": 6, "SPORTS": 7,
                    "TOYS": 7, "BEAUTY": 6, "BOOKS": 7, "FOOD": 5}
# Net purchase cost as a share of the net selling price.
COST_RATIO = {"FASHION": 0.38, "SHOES": 0.45, "ELECTRONICS": 0.82, "HOME": 0.55, "GARDEN": 0.6,
              "SPORTS": 0.55, "TOYS": 0.58, "BEAUTY": 0.5, "BOOKS": 0.68, "FOOD": 0.65}
COMPETITORS = {
    "FASHION": ("Zalando", "About You", "Otto", "Amazon"),
    "SHOES": ("Zalando", "About You", "Otto", "Amazon"),
    "ELECTRONICS": ("Amazon", "MediaMarkt", "Otto", "Cyberport"),
    "HOME": ("Amazon", "Otto", "Home24", "Westwing"),
    "GARDEN": ("Amazon", "OBI", "Hornbach", "Otto"),
    "SPORTS": ("Amazon", "Decathlon", "Otto", "Bergfreunde"),
    "TOYS": ("Amazon", "myToys", "Otto", "Thalia"),
    "BEAUTY": ("Douglas", "Amazon", "Flaconi", "dm"),
    "BOOKS": ("Thalia", "Amazon", "Hugendubel", "buecher.de"),
    "FOOD": ("Amazon", "REWE", "Otto", "Edeka24"),
}
COMPETITOR_SHARE = 0.55  # products watched at competitors
COMPETITOR_WEEKS = 52
BLACK_WEEK_SHARE = 0.3  # products on sale in each Black Week
INCOMPLETE_SHARE = 0.18
POPULARITY_PRICE_ELASTICITY = 0.8  # products with deliberately incomplete content
# Price endings (cents) and how often a product uses each.
ENDINGS = ((99, 0.6), (95, 0.85), (49, 1.0))


def product_count(orders: int) -> int:
    """A few thousand products at the default size, growing gently with the order count."""
    return max(300, min(6000, orders // 8))


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def price_point(cents: int, ending: int) -> int:
    """The nearest price with the product's ending (.99, .95 or .49), at least 0.49."""
    euros = cents // 100
    below, above = (euros - 1) * 100 + ending, euros * 100 + ending
    best = below if cents - below < above - cents else above
    return max(best, 49 if ending == 49 else ending)


@dataclass
class Catalog:
    category_rows: list = field(default_factory=list)
    supplier_rows: list = field(default_factory=list)
    product_rows: list = field(default_factory=list)
    price_change_rows: list = field(default_factory=list)
    root_codes: list[str] = field(default_factory=list)
    # Per product, indexed by product id (index 0 unused):
    root: list[int] = field(default_factory=lambda: [0])  # index into ROOTS
    vat_pct: list[int] = field(default_factory=lambda: [0])
    cost: list[Decimal] = field(default_factory=lambda: [Decimal(0)])
    cost_cents: list[int] = field(default_factory=lambda: [0])
    popularity: list[float] = field(default_factory=lambda: [0.0])
    sellable_from: list[int | None] = field(default_factory=lambda: [None])  # day index
    sellable_until: list[int | None] = field(default_factory=lambda: [None])  # day index, exclusive
    price_times: list[list[int]] = field(default_factory=lambda: [[]])
    price_cents: list[list[int]] = field(default_factory=lambda: [[]])
    price_decimals: list[list[Decimal]] = field(default_factory=lambda: [[]])
    regular_times: list[list[int]] = field(default_factory=lambda: [[]])
    regular_cents: list[list[int]] = field(default_factory=lambda: [[]])
    bulky: list[bool] = field(default_factory=lambda: [False])

    @property
    def products(self) -> int:
        return len(self.product_rows)


def build_catalog(*, tl: Timeline, orders: int, rng) -> Catalog:
    cat = Catalog()
    leaf_ids = _categories(cat)
    suppliers_by_root = _suppliers(cat, rng)
    _products(cat, tl, product_count(orders), leaf_ids, suppliers_by_root, rng)
    return cat


def _categories(cat: Catalog) -> dict[str, list[tuple[int, str, tuple]]]:
    next_id = 1
    leaf_ids: dict[str, list[tuple[int, str, tuple]]] = {}
    for root in ROOTS:
        root_id = next_id
        next_id += 1
        cat.category_rows.append((root_id, root, ROOT_NAMES[root], None, f"/{root}/", 0))
        cat.root_codes.append(root)
        leaf_ids[root] = []
        for suffix, name, nouns in LEAVES[root]:
            code = f"{root}-{suffix}"
            cat.category_rows.append((next_id, code, name, root_id, f"/{root}/{code}/", 1))
            leaf_ids[root].append((next_id, suffix, nouns))
            next_id += 1
    return leaf_ids


def _suppliers(cat: Catalog, rng) -> dict[str, list[int]]:
    by_root: dict[str, list[int]] = {root: [] for root in ROOTS}
    for sid, (name, roots, (lo, hi)) in enumerate(SUPPLIERS, start=1):
        cat.supplier_rows.append((sid, name, rng.randint(lo, hi)))
        for root in roots:
            by_root[root].append(sid)
    return by_root


def _ending(rng) -> int:
    u = rng.random()
    for ending, cum in ENDINGS:
        if u < cum:
            return ending
    return 99


def _attributes(root: str, suffix: str, brand: str, colour: str, rng) -> dict:
    if root in ("FASHION", "SHOES"):
        if root == "SHOES":
            size = str(rng.randint(24, 35) if suffix == "KIDS" else rng.randint(36, 42) if suffix == "WOMEN"
                       else rng.randint(40, 46))
            material = rng.choice(LEATHERS)
        else:
            size = rng.choice(KIDS_SIZES if suffix == "KIDS" else CLOTHING_SIZES)
            material = rng.choice(TEXTILES)
        return {"brand": brand, "colour": colour, "size": size, "material": material}
    if root == "ELECTRONICS":
        return {"brand": brand, "colour": colour, "warranty_months": 24,
                "model": f"{brand[:3].upper()}-{rng.randint(100, 999)}"}
    if root in ("HOME", "GARDEN"):
        return {"brand": brand, "colour": colour, "material": rng.choice(HARD_MATERIALS)}
    if root == "SPORTS":
        return {"brand": brand, "colour": colour, "size": rng.choice(CLOTHING_SIZES[1:5])}
    if root == "TOYS":
        return {"brand": brand, "age_from": rng.choice((0, 1, 3, 6, 8, 12)),
                "material": rng.choice(("Holz", "Kunststoff", "Plüsch", "Karton"))}
    if root == "BEAUTY":
        return {"brand": brand, "volume_ml": rng.choice((30, 50, 75, 100, 150, 250, 400)),
                "skin_type": rng.choice(("normal", "trocken", "empfindlich", "alle"))}
    if root == "BOOKS":
        return {"author": f"{rng.choice(AUTHOR_FIRST)} {rng.choice(AUTHOR_LAST)}", "publisher": brand,
                "format": rng.choice(("Taschenbuch", "Hardcover", "Klappenbroschur")),
                "pages": rng.randint(120, 640), "isbn": _isbn(rng)}
    return {"brand": brand, "weight_g": rng.choice((100, 150, 175, 200, 250, 500, 1000)),
            "organic": rng.random() < 0.4}


def _isbn(rng) -> str:
    digits = [9, 7, 8, 3] + [rng.randint(0, 9) for _ in range(8)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    s = "".join(map(str, digits))
    return f"{s[:3]}-{s[3]}-{s[4:8]}-{s[8:12]}-{check}"


def _product_name(root: str, suffix: str, noun: str, brand: str, line: str, colour: str, rng) -> str:
    if root == "BOOKS":
        if suffix == "FICTION":
            return f"{rng.choice(TITLE_HEAD)} {rng.choice(TITLE_TAIL)} – {noun}"
        return f"{noun}: {rng.choice(NONFICTION_TOPICS)}"
    if root in ("FASHION", "SHOES", "SPORTS", "HOME"):
        return f"{brand} {noun} {line} {colour}"
    return f"{brand} {noun} {line}"


def _products(cat: Catalog, tl: Timeline, count: int, leaf_ids, suppliers_by_root, rng) -> None:
    from .timeline import distribute

    days = tl.days
    roots_weights = [ASSORTMENT_SHARE[r] for r in ROOTS]
    per_root = distribute(count, roots_weights)
    plan: list[tuple[str, int, str, tuple]] = []
    for root, n in zip(ROOTS, per_root, strict=True):
        leaves = leaf_ids[root]
        for i in range(n):
            leaf_id, suffix, nouns = leaves[i % len(leaves)]
            plan.append((root, leaf_id, suffix, nouns))
    rng.shuffle(plan)

    price_rows = cat.price_change_rows
    for pid, (root, leaf_id, suffix, nouns) in enumerate(plan, start=1):
        root_index = ROOTS.index(root)
        noun, lo, hi = rng.choice(nouns)
        brand = rng.choice(BRANDS[root])
        line = rng.choice(LINES)
        colour = rng.choice(COLOURS)
        ending = _ending(rng)
        raw = math.exp(rng.uniform(math.log(lo), math.log(hi))) * 100
        start_price = price_point(int(raw), ending)
        vat = VAT_PCT[root]
        net = start_price * 100 / (100 + vat)
        cost_cents = max(1, int(net * COST_RATIO[root] * rng.uniform(0.9, 1.1)))

        u = rng.random()
        status = "proposed" if u < 0.04 else "delisted" if u < 0.10 else "phase_out" if u < 0.18 else "active"
        if status == "proposed":
            launch = None
        elif rng.random() < 0.55:
            launch = -rng.randint(1, 1095)
        else:
            launch = rng.randint(0, days - 45)
        delist = None
        if status == "delisted":
            first = max(launch, 0) + 90
            if first < days - 10:
                delist = rng.randint(first, days - 10)
            else:
                status = "phase_out"
        # cheap articles sell more often than expensive ones of the same category
        popularity = math.exp(rng.gauss(0.0, 1.0)) * (start_price / 2500) ** -POPULARITY_PRICE_ELASTICITY
        if status == "phase_out":
            popularity *= 0.4

        # never below cost: the lowest gross price keeps 5 % on top of the net cost
        floor = cost_cents * (100 + vat) * 105 // 10_000 + 1
        events = _price_events(tl, start_price, ending, launch, delist, floor, rng)
        times, cents, decimals, reg_times, reg_cents = [], [], [], [], []
        for day, kind, price, reason in events:
            ts = tl.midnight(day)
            dec = cents_to_decimal(price)
            when = to_datetime(ts)
            price_rows.append((len(price_rows) + 1, pid, dec, when, kind, None, reason, when))
            times.append(ts)
            cents.append(price)
            decimals.append(dec)
            if kind == "regular":
                reg_times.append(ts)
                reg_cents.append(price)
        current = cents[-1]

        incomplete = rng.random() < INCOMPLETE_SHARE
        attributes = _attributes(root, suffix, brand, colour, rng)
        name = _product_name(root, suffix, noun, brand, line, colour, rng)
        opener = rng.choice(DESCRIPTION_OPENERS).format(name=name, brand=brand, line=line, noun=noun)
        details = DESCRIPTION_DETAILS[root]
        description = " ".join((opener, *rng.sample(details, 2)))
        image_count = rng.randint(3, 8)
        if incomplete:
            gap = rng.random()
            if gap < 0.35:
                description = ""
            elif gap < 0.6:
                image_count = rng.randint(0, 1)
            elif gap < 0.85:
                for key in rng.sample(sorted(attributes), k=min(2, len(attributes) - 1)):
                    del attributes[key]
            else:
                description, image_count, attributes = "", 0, {}
        if status == "active":
            stock = 0 if rng.random() < 0.06 else int(math.exp(rng.uniform(math.log(5), math.log(600))))
        elif status == "phase_out":
            stock = rng.randint(0, 40)
        else:
            stock = 0
        launched_on = tl.date(launch) if launch is not None else None

        cat.product_rows.append((
            pid, f"{SKU_PREFIX[root]}-{pid:06d}", name, leaf_id, rng.choice(suppliers_by_root[root]), status,
            cents_to_decimal(cost_cents), cents_to_decimal(current), VAT_DECIMAL[vat], stock, launched_on,
            description, image_count, attributes,
        ))
        cat.root.append(root_index)
        cat.vat_pct.append(vat)
        cat.cost.append(cents_to_decimal(cost_cents))
        cat.cost_cents.append(cost_cents)
        cat.popularity.append(popularity)
        cat.sellable_from.append(None if launch is None else max(launch, 0))
        cat.sellable_until.append(delist if delist is not None else (None if launch is None else days))
        cat.price_times.append(times)
        cat.price_cents.append(cents)
        cat.price_decimals.append(decimals)
        cat.regular_times.append(reg_times)
        cat.regular_cents.append(reg_cents)
        cat.bulky.append(start_price >= 15000 and root in ("HOME", "GARDEN", "ELECTRONICS", "SPORTS"))


def _price_events(tl: Timeline, price: int, ending: int, launch, delist, floor: int, rng) -> list[tuple]:
    """The price history of one product: (day, kind, gross cents, reason), days strictly increasing.

    An introductory regular price at launch, then regular changes and temporary sales (a sale
    price, later a regular price again). Black Week sales for a share of the assortment. All
    events lie before today; a sale still running today simply has no end yet.
    """
    days = tl.days
    floor = max(floor, 49)
    if launch is None:  # proposed: a calculated starting price, not sold yet
        return [(days - rng.randint(1, 30), "regular", price, "Kalkulierter Startpreis")]
    events = [(launch, "regular", price, "Einführungspreis")]
    end = delist if delist is not None else days
    black_weeks = [bf for bf in tl.black_fridays
                   if bf - 4 > max(launch, 0) + 30 and bf + 4 < end and rng.random() < BLACK_WEEK_SHARE]
    regular = price
    last = launch
    t = max(launch, 0) + rng.randint(20, 150)
    bi = 0
    while True:
        if bi < len(black_weeks) and t + 25 >= black_weeks[bi] - 6:
            bf = black_weeks[bi]
            bi += 1
            if bf - 4 <= last:
                continue
            pct = rng.choice((20, 25, 30))
            sale = min(price_point(regular * (100 - pct) // 100, ending), regular - 100)
            if sale < floor:
                continue
            events.append((bf - 4, "sale", sale, f"Black Week -{pct} %"))
            if bf + 4 >= days:
                return events
            events.append((bf + 4, "regular", regular, "Ende Black Week"))
            last = bf + 4
            t = max(t, last + rng.randint(20, 60))
            continue
        if t >= end:
            return events
        if rng.random() < 0.55:
            pct = rng.choice((10, 15, 20, 25, 30, 40))
            sale = min(price_point(regular * (100 - pct) // 100, ending), regular - 100)
            if sale >= floor:
                duration = rng.randint(3, 21)
                events.append((t, "sale", sale, f"Aktion -{pct} %"))
                if t + duration >= days:
                    return events  # still on sale today
                events.append((t + duration, "regular", regular, "Ende Aktion"))
                last = t + duration
                t = last + rng.randint(30, 200)
                continue
        change = rng.uniform(-0.08, 0.12)
        new = price_point(int(regular * (1 + change)), ending)
        if new != regular and new >= floor:
            regular = new
            reason = "Preiserhöhung Einkauf" if change > 0 else "Anpassung an Wettbewerb"
            events.append((t, "regular", regular, reason))
            last = t
        t += rng.randint(60, 240)


def competitor_price_rows(*, tl: Timeline, cat: Catalog, rng):
    """Weekly-ish observations of 2-4 competitors for a share of the sellable products, last 52 weeks.

    Books follow the fixed book price (BuchPrG), so every seller shows the same price.
    """
    from bisect import bisect_right

    days = tl.days
    first_day = days - COMPETITOR_WEEKS * 7
    row_id = 0
    for pid in range(1, cat.products + 1):
        since = cat.sellable_from[pid]
        until = cat.sellable_until[pid]
        if since is None or since > days - 14 or until < days - 60 or rng.random() >= COMPETITOR_SHARE:
            continue
        root = ROOTS[cat.root[pid]]
        fixed_price = root == "BOOKS"
        names = rng.sample(COMPETITORS[root], k=rng.randint(2, 4))
        reg_times, reg_cents = cat.regular_times[pid], cat.regular_cents[pid]
        for ci, name in enumerate(names):
            bias = rng.uniform(0.9, 1.08)
            day = max(since, first_day) + rng.randint(0, 6)
            hour = 3 + ci
            while day < min(days, until):
                ts = tl.local_ts(day, hour, rng.randrange(3600))
                ours = reg_cents[bisect_right(reg_times, ts) - 1]
                if fixed_price:
                    cents = ours
                else:
                    factor = bias * (1 + rng.gauss(0.0, 0.02))
                    if rng.random() < 0.08:
                        factor *= 0.85
                    cents = price_point(int(ours * factor), 99)
                row_id += 1
                yield (row_id, pid, name, cents_to_decimal(cents), to_datetime(ts))
                day += rng.choice((6, 7, 7, 7, 8))
