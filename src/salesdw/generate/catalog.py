"""The catalogue: a category tree, brands, and products with prices, margins and launches.

Prices follow a log-normal per category (a budget, mid and premium tier emerge from its spread);
costs give each category its own margin; return rates differ by category; a share of products
launch during the period; some products have a partner (a case for a phone), bought together
more often than chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# top category: (median price, price spread, margin, return rate, {subcategory: product nouns})
CATEGORY_TREE: dict[str, tuple[float, float, float, float, dict[str, list[str]]]] = {
    "Electronics": (140, 0.9, 0.22, 0.08, {
        "Phones": ["Smartphone", "Phone", "Mini Phone"],
        "Laptops": ["Laptop", "Notebook", "Ultrabook"],
        "Audio": ["Headphones", "Earbuds", "Speaker", "Soundbar"],
        "Accessories": ["Charger", "Cable", "Case", "Power Bank", "Screen Protector"],
    }),
    "Fashion": (45, 0.6, 0.55, 0.24, {
        "Women": ["Dress", "Blouse", "Skirt", "Cardigan"],
        "Men": ["Shirt", "Chinos", "Jacket", "Sweater"],
        "Shoes": ["Sneakers", "Boots", "Sandals", "Loafers"],
        "Kids": ["Hoodie", "T-Shirt", "Pyjamas"],
    }),
    "Home & Kitchen": (38, 0.8, 0.42, 0.07, {
        "Kitchen": ["Pan", "Knife Set", "Blender", "Kettle"],
        "Furniture": ["Chair", "Side Table", "Shelf"],
        "Decor": ["Vase", "Lamp", "Candle", "Frame"],
        "Bedding": ["Duvet", "Pillow", "Sheet Set"],
    }),
    "Beauty": (22, 0.6, 0.62, 0.03, {
        "Skincare": ["Serum", "Moisturiser", "Cleanser"],
        "Makeup": ["Lipstick", "Mascara", "Foundation"],
        "Fragrance": ["Eau de Parfum", "Body Mist"],
    }),
    "Sports & Outdoors": (48, 0.8, 0.36, 0.10, {
        "Fitness": ["Yoga Mat", "Dumbbells", "Resistance Bands"],
        "Cycling": ["Helmet", "Bike Light", "Jersey"],
        "Camping": ["Tent", "Sleeping Bag", "Headlamp"],
    }),
    "Toys & Games": (26, 0.6, 0.45, 0.04, {
        "Board Games": ["Board Game", "Card Game"],
        "Puzzles": ["Puzzle", "3D Puzzle"],
        "Building Sets": ["Building Set", "Construction Kit"],
    }),
    "Books & Media": (15, 0.55, 0.30, 0.02, {
        "Fiction": ["Novel", "Thriller", "Fantasy Saga"],
        "Non-fiction": ["Cookbook", "Biography", "Guide"],
        "Music": ["Vinyl", "CD Box"],
    }),
    "Grocery": (9, 0.5, 0.26, 0.01, {
        "Coffee & Tea": ["Coffee Beans", "Green Tea", "Espresso Pods"],
        "Snacks": ["Chocolate", "Trail Mix", "Crackers"],
        "Pantry": ["Olive Oil", "Pasta", "Spice Set"],
    }),
    "Health": (19, 0.5, 0.50, 0.02, {
        "Vitamins": ["Multivitamin", "Vitamin D", "Omega-3"],
        "Personal Care": ["Toothbrush", "Shaver", "Hair Dryer"],
    }),
    "Pets": (21, 0.6, 0.38, 0.04, {
        "Dog": ["Dog Food", "Leash", "Dog Bed"],
        "Cat": ["Cat Food", "Scratching Post", "Litter"],
    }),
    "Garden & DIY": (34, 0.8, 0.35, 0.06, {
        "Tools": ["Drill", "Screwdriver Set", "Tool Box"],
        "Garden": ["Hose", "Planter", "Pruning Shears"],
    }),
}  # fmt: skip

_ADJECTIVES = [
    "Classic",
    "Essential",
    "Pro",
    "Ultra",
    "Eco",
    "Smart",
    "Compact",
    "Deluxe",
    "Everyday",
    "Premium",
    "Lite",
    "Max",
    "Original",
    "Signature",
    "Urban",
    "Nordic",
]
_BRAND_HEADS = [
    "Nor",
    "Vel",
    "Kai",
    "Lum",
    "Ara",
    "Zen",
    "Oro",
    "Bri",
    "Cal",
    "Mira",
    "Tor",
    "Sol",
    "Ver",
    "Qua",
    "Ela",
    "Rho",
    "Fen",
    "Ivo",
    "Nex",
    "Pal",
]
_BRAND_TAILS = [
    "vex",
    "dia",
    "ora",
    "tek",
    "line",
    "wood",
    "lux",
    "ion",
    "ara",
    "ly",
    "fy",
    "co",
    "nova",
    "form",
    "well",
    "craft",
]


@dataclass
class Catalog:
    """Categories and products, as columns (index i is product_id i + 1)."""

    category_rows: list[tuple[int, int | None, str]]  # (category_id, parent_id, name)
    top_names: list[str]
    product_top: np.ndarray  # index into top_names
    product_category: np.ndarray  # category_id of the subcategory
    sku: np.ndarray
    name: np.ndarray
    brand: np.ndarray
    price_cents: np.ndarray
    cost_cents: np.ndarray
    launch_day: np.ndarray  # day index; <= 0 means available from the start
    retire_day: np.ndarray  # first day it no longer sells (past the period if still active)
    is_active: np.ndarray
    return_rate: np.ndarray  # per product, from its category
    quality: np.ndarray  # shifts its ratings
    popularity: np.ndarray  # relative sales weight
    partner: np.ndarray  # product index bought with it more than by chance, or -1
    fallback: np.ndarray  # a similar product available from the start, for early orders
    by_price: np.ndarray  # product indices sorted by price

    @property
    def size(self) -> int:
        return len(self.sku)


def _brands(rng: np.random.Generator, count: int) -> np.ndarray:
    heads = rng.choice(_BRAND_HEADS, count)
    tails = rng.choice(_BRAND_TAILS, count)
    names = np.char.add(heads.astype(str), tails.astype(str))
    return np.unique(names)


def build_catalog(products: int, days: int, rng: np.random.Generator) -> Catalog:
    """`products` products over the category tree, launching across `days` days."""
    category_rows: list[tuple[int, int | None, str]] = []
    subs: list[tuple[int, int, str, list[str]]] = []  # (category_id, top index, name, nouns)
    for top_index, (top, (*_, children)) in enumerate(CATEGORY_TREE.items()):
        top_id = len(category_rows) + 1
        category_rows.append((top_id, None, top))
        for sub, nouns in children.items():
            sub_id = len(category_rows) + 1
            category_rows.append((sub_id, top_id, sub))
            subs.append((sub_id, top_index, sub, nouns))
    tops = list(CATEGORY_TREE)
    top_params = np.array([CATEGORY_TREE[t][:4] for t in tops], dtype=float)

    # Bigger categories carry more products (Fashion and Electronics lead).
    sub_weights = rng.dirichlet(np.full(len(subs), 4.0))
    sub_of = rng.choice(len(subs), size=products, p=sub_weights)
    top_of = np.array([subs[s][1] for s in sub_of])
    category_id = np.array([subs[s][0] for s in sub_of], dtype=np.int32)

    median, spread, margin, return_rate = (top_params[top_of, k] for k in range(4))
    raw_price = median * np.exp(rng.normal(0, spread))
    # Prices end in .99 (or .49 under 10), as shops price them.
    price_cents = np.where(
        raw_price < 10,
        np.maximum(np.round(raw_price * 2) * 50 - 1, 99),
        np.round(raw_price) * 100 - 1,
    ).astype(np.int64)
    item_margin = np.clip(margin + rng.normal(0, 0.06, products), 0.05, 0.85)
    cost_cents = np.round(price_cents * (1 - item_margin)).astype(np.int64)

    brands = _brands(rng, max(30, products // 25))
    brand = rng.choice(brands, products)
    nouns = np.array([rng.choice(subs[s][3]) for s in sub_of])
    adjectives = rng.choice(_ADJECTIVES, products)
    model = rng.integers(1, 99, products)
    name = np.array(
        [f"{b} {a} {n} {m}" for b, a, n, m in zip(brand, adjectives, nouns, model, strict=True)]
    )
    sku = np.array(
        [f"{tops[t][:3].upper()}-{i + 1:06d}" for i, t in enumerate(top_of)], dtype=object
    )

    # 65% exist from the start; the rest launch evenly through the period.
    launches = rng.random(products) < 0.35
    launch_day = np.where(
        launches, rng.integers(0, max(days - 30, 1), products), -rng.integers(30, 900, products)
    )
    # A few products are discontinued during the period: they stop selling and are inactive.
    is_active = rng.random(products) > 0.04
    retire_day = np.where(
        is_active, days + 1, rng.integers(days // 3, max(days - 30, days // 3 + 1), products)
    )
    retire_day = np.maximum(retire_day, launch_day + 30)

    popularity = rng.lognormal(0, 1.0, products)
    quality = rng.normal(0, 0.35, products)

    by_price = np.argsort(price_cents, kind="stable")
    available = np.flatnonzero((launch_day <= 0) & is_active)
    available_sorted = available[np.argsort(price_cents[available], kind="stable")]
    nearest = np.searchsorted(price_cents[available_sorted], price_cents).clip(
        0, len(available_sorted) - 1
    )
    fallback = np.where((launch_day <= 0) & is_active, np.arange(products),
                        available_sorted[nearest])  # fmt: skip

    partner = np.full(products, -1, dtype=np.int64)
    has_partner = rng.random(products) < 0.4
    for top_index in range(len(tops)):
        members = np.flatnonzero(top_of == top_index)
        if len(members) == 0:
            continue
        cheap = members[price_cents[members] <= np.median(price_cents[members])]
        if len(cheap) == 0:
            continue
        chosen = members[has_partner[members]]
        partner[chosen] = rng.choice(cheap, len(chosen))
    partner[partner == np.arange(products)] = -1
    # Partners are always on sale, so a basket never gains a product that is not.
    linked = partner >= 0
    partner[linked] = np.where(fallback[partner[linked]] == partner[linked], partner[linked], -1)

    return Catalog(
        category_rows=category_rows,
        top_names=tops,
        product_top=top_of,
        product_category=category_id,
        sku=sku,
        name=name,
        brand=brand,
        price_cents=price_cents,
        cost_cents=cost_cents,
        launch_day=launch_day,
        retire_day=retire_day,
        is_active=is_active,
        return_rate=return_rate,
        quality=quality,
        popularity=popularity,
        partner=partner,
        fallback=fallback,
        by_price=by_price,
    )
