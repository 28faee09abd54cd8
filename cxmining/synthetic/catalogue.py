"""The product catalogue: 48 products in 8 categories, their popularity and the thin descriptions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cxmining.synthetic.settings import SampleSettings


@dataclass(frozen=True)
class Item:
    """One product: name, typical price, size (width, height, depth in cm) and weight."""

    name: str
    price: float
    size_cm: tuple[float, float, float]
    weight_kg: float


@dataclass(frozen=True)
class Category:
    """A category's products and the vocabulary its descriptions are written from."""

    name: str
    slug: str
    items: tuple[Item, ...]
    materials: tuple[str, ...]
    compatibility: tuple[str, ...]
    pitch: str
    thin: str  # the one-sentence description of a thin product
    searches: tuple[str, ...]


CATEGORIES = (
    Category(
        "Audio",
        "audio",
        (
            Item("Aurel ANC-700 Wireless Headphones", 279, (18, 20, 8), 0.25),
            Item("Aurel Buds Pro Earbuds", 179, (6, 5, 3), 0.05),
            Item("Sonique Bar 3.1 Soundbar", 449, (95, 7, 11), 4.1),
            Item("Sonique Go Portable Speaker", 89, (18, 7, 7), 0.6),
            Item("Vinyl One Turntable", 329, (42, 12, 35), 5.2),
            Item("Aurel Studio Monitors (pair)", 399, (17, 26, 22), 7.4),
        ),
        ("aluminium and protein leather", "recycled ABS plastic", "fabric-covered MDF", "anodised aluminium"),
        (
            "Bluetooth 5.3, iOS and Android",
            "HDMI eARC, optical in, Bluetooth 5.2",
            "3.5 mm jack and USB-C audio",
        ),
        "delivers clear, detailed sound with deep bass and an app with a five-band equaliser",
        "Great sound for every room.",
        ("wireless headphones", "soundbar", "bluetooth speaker"),
    ),
    Category(
        "Televisions",
        "televisions",
        (
            Item('Lumora 55" 4K OLED TV', 1299, (122, 71, 5), 18.5),
            Item('Lumora 65" 4K QLED TV', 1099, (145, 83, 6), 24.0),
            Item('Lumora 43" Full HD Smart TV', 379, (97, 57, 8), 7.9),
            Item("Vesa Flex TV Wall Mount", 59, (45, 42, 9), 3.1),
            Item("StreamStick 4K Media Player", 49, (10, 3, 1.5), 0.05),
            Item('Lumora 32" HD Smart TV', 229, (73, 43, 8), 4.6),
        ),
        ("brushed metal and plastic", "steel", "aluminium frame, glass panel"),
        (
            "VESA 200x200 to 600x400",
            "HDMI 2.1 (4x), Wi-Fi 6, Chromecast built-in",
            "HDR10, HLG, Dolby Vision",
        ),
        "shows sharp, vivid pictures with a 120 Hz panel and a built-in smart platform",
        "A smart TV for your living room.",
        ("oled tv", "4k tv 55 inch", "tv wall mount"),
    ),
    Category(
        "Computing",
        "computing",
        (
            Item("Nordbook 14 Laptop", 899, (31, 1.6, 22), 1.3),
            Item("Nordbook 16 Pro Laptop", 1699, (36, 1.8, 25), 2.1),
            Item("Keyflow Mechanical Keyboard", 129, (36, 4, 13), 0.9),
            Item("Glide Wireless Mouse", 39, (12, 4, 7), 0.09),
            Item('Vista 27" QHD Monitor', 329, (61, 45, 20), 5.8),
            Item("Hubline USB-C Docking Station", 149, (11, 3, 8), 0.3),
        ),
        ("aluminium unibody", "PBT keycaps, steel plate", "recycled plastic"),
        (
            "Windows 11, macOS 13+, ChromeOS",
            "USB-C with DisplayPort Alt Mode, Thunderbolt 4",
            "Bluetooth 5.1 and 2.4 GHz receiver",
        ),
        "is built for long working days, with a sturdy build and a generous set of ports",
        "Fast and reliable.",
        ("laptop 14 inch", "usb-c dock", "mechanical keyboard"),
    ),
    Category(
        "Phones & Tablets",
        "phones-tablets",
        (
            Item("Pixa 8 Smartphone 128 GB", 699, (7.1, 15, 0.9), 0.19),
            Item("Pixa 8 Pro Smartphone 256 GB", 999, (7.6, 16.2, 0.9), 0.21),
            Item("Tabula 11 Tablet", 449, (25.4, 16.6, 0.7), 0.48),
            Item("PowerCell 20,000 mAh Power Bank", 49, (15, 7, 2.6), 0.39),
            Item("FastCharge 65 W USB-C Charger", 39, (5, 5, 3), 0.12),
            Item("ArmourCase Phone Case", 25, (7.6, 15.5, 1.2), 0.04),
        ),
        ("glass back, aluminium frame", "silicone and polycarbonate", "recycled aluminium"),
        ("USB-C PD 3.0, Qi2 wireless charging", "Pixa 8 and Pixa 8 Pro", "5G, Wi-Fi 6E, Bluetooth 5.3"),
        "keeps you connected all day with fast charging and a bright, easy-to-read display",
        "Your new favourite device.",
        ("smartphone 128gb", "power bank", "usb-c charger"),
    ),
    Category(
        "Smart Home",
        "smart-home",
        (
            Item("Hestia Smart Thermostat", 219, (9, 9, 2.5), 0.2),
            Item("Lumi Smart Bulb E27 (4-pack)", 59, (6, 11, 6), 0.3),
            Item("Gatekeeper Video Doorbell", 179, (4.5, 13, 2.5), 0.25),
            Item("Sentry Indoor Camera", 69, (6, 10, 6), 0.2),
            Item("Hestia Smart Plug (2-pack)", 34, (5, 8, 5), 0.2),
            Item("AirPure 300 Air Purifier", 249, (27, 52, 27), 6.1),
        ),
        ("matte plastic with glass front", "polycarbonate", "aluminium and ABS"),
        (
            "Matter, Zigbee 3.0, Google Home, Alexa, Apple Home",
            "2.4 GHz Wi-Fi, OpenTherm boilers",
            "E27 fitting, 230 V",
        ),
        "works with the major smart-home platforms and is installed in minutes",
        "Makes your home smarter.",
        ("smart thermostat", "video doorbell", "smart plug"),
    ),
    Category(
        "Kitchen",
        "kitchen",
        (
            Item("Brava Espresso Machine", 499, (28, 38, 33), 9.3),
            Item("Crisp 5.5 L Air Fryer", 119, (30, 32, 38), 5.2),
            Item("Velo 1.7 L Kettle", 49, (22, 25, 16), 1.1),
            Item("Pulse 1200 W Blender", 89, (20, 42, 20), 3.4),
            Item("Toastino 2-Slice Toaster", 45, (29, 19, 17), 1.6),
            Item("Frosta Stand Mixer", 349, (37, 36, 23), 7.8),
        ),
        ("stainless steel", "BPA-free plastic and steel", "die-cast aluminium"),
        ("230 V / 50 Hz, EU plug", "dishwasher-safe parts", "ground coffee and ESE pods"),
        "makes everyday cooking quicker, with simple controls and parts that go in the dishwasher",
        "Perfect for your kitchen.",
        ("espresso machine", "air fryer", "kettle"),
    ),
    Category(
        "Home & Living",
        "home-living",
        (
            Item("Nook Oak Floor Lamp", 189, (40, 160, 40), 5.5),
            Item("Nook Linen Table Lamp", 69, (25, 45, 25), 1.8),
            Item("Dormio Memory Foam Pillow", 59, (60, 12, 40), 1.2),
            Item("Aria Robot Vacuum", 399, (35, 9.5, 35), 3.6),
            Item("Steamline Garment Steamer", 79, (15, 30, 12), 1.4),
            Item("Hygge Wool Throw", 89, (130, 1, 170), 1.1),
        ),
        ("solid oak and linen", "memory foam, bamboo cover", "100% merino wool", "ABS and tempered glass"),
        ("E27 bulbs up to 60 W", "app control via 2.4 GHz Wi-Fi", "machine washable at 30 °C"),
        "brings comfort and a warm, natural look to any room",
        "A lovely addition to your home.",
        ("floor lamp", "robot vacuum", "pillow"),
    ),
    Category(
        "Gaming",
        "gaming",
        (
            Item("Arcadia X Game Console", 499, (27, 6, 22), 3.2),
            Item("Arcadia Wireless Controller", 69, (16, 6, 10), 0.27),
            Item("Questor Gaming Headset", 99, (19, 21, 9), 0.32),
            Item("Racer Pro Gaming Chair", 299, (70, 130, 70), 21.0),
            Item("Arcadia Charging Dock", 35, (18, 6, 9), 0.2),
            Item("Vortex Gaming Mouse", 59, (12.5, 4, 6.5), 0.08),
        ),
        ("PU leather and steel frame", "matte plastic", "aluminium and memory foam"),
        (
            "Arcadia X, PC (Windows 10/11)",
            "USB-C, Bluetooth 5.1, 2.4 GHz dongle",
            "PC, Arcadia X, mobile via 3.5 mm",
        ),
        "is tuned for long sessions, with low latency and a design that stays comfortable",
        "Level up your game.",
        ("game console", "gaming headset", "gaming chair"),
    ),
)
HELP_TOPICS = ("shipping", "returns", "payment", "warranty", "product-advice", "account")


def catalogue(scn: SampleSettings) -> pl.DataFrame:
    """Products with their contract columns plus `weight` (popularity), `rank`, `thin` and `propensity` (the
    product's own factor on its information-call and return rates, 1 unless `product_rate_spread` is set)."""
    rng, eff = scn.rng("catalogue"), scn.effects
    cats = [(ci, c, item) for ci, c in enumerate(CATEGORIES) for item in c.items]
    n = len(cats)
    category = np.array([ci for ci, _, _ in cats])
    if eff.thin_placement == "one category":
        rank = rng.permutation(n)
        chosen = rng.integers(len(CATEGORIES))
        thin = np.isin(np.arange(n), rng.choice(np.flatnonzero(category == chosen), eff.thin_products, replace=False))
    else:
        rank = _ranks(n, eff.thin_products, eff.thin_placement, rng)
        thin_ranks = rank[: eff.thin_products]
        rank = rng.permutation(rank)  # products in catalogue order get shuffled popularity ranks
        thin = np.isin(rank, thin_ranks)
    rows = [_product(c, item, bool(t), rng) for (_, c, item), t in zip(cats, thin)]
    propensity = np.exp(rng.normal(0.0, eff.product_rate_spread, n) - eff.product_rate_spread**2 / 2)
    return pl.DataFrame(
        {
            "product_id": [f"P{1001 + i}" for i in range(n)],
            "name": [item.name for _, _, item in cats],
            "category": [c.name for _, c, _ in cats],
            "description": [r[0] for r in rows],
            "price": [r[1] for r in rows],
            "category_index": category.astype(np.int16),
            "rank": rank.astype(np.int16),
            "weight": 1.0 / (rank + 1.0) ** eff.popularity_exponent,
            "thin": thin,
            "propensity": propensity,
        }
    )


def _ranks(n: int, thin: int, placement: str, rng: np.random.Generator) -> np.ndarray:
    """Popularity ranks (0 = most popular), the first `thin` of them meant for thin products.

    `mixed`: one among the popular (ranks 1-4, never the top one), the others mid-table; `popular`: the top ranks;
    `unpopular`: the bottom ranks.
    """
    if placement == "popular":
        chosen = np.arange(thin)
    elif placement == "unpopular":
        chosen = np.arange(n - thin, n)
    elif thin == 0:
        chosen = np.zeros(0, np.int64)
    else:
        popular = rng.integers(1, 5)
        rest = rng.choice(np.arange(7, min(n, 30)), size=thin - 1, replace=False)
        chosen = np.concatenate(([popular], rest))
    return np.concatenate((chosen, np.setdiff1d(np.arange(n), chosen)))


def _product(c: Category, item: Item, thin: bool, rng: np.random.Generator) -> tuple[str, str]:
    """Description and price of one product (a loop over 48 products, not over events)."""
    price = max(round(item.price * rng.uniform(0.9, 1.1), -1), 10) - rng.choice([0.01, 0.05, 1.0])
    if thin:
        return c.thin, f"{price:.2f}"
    w, h, d = (f"{x:g}" for x in item.size_cm)
    colour = rng.choice(["black", "white", "graphite", "silver", "sand", "midnight blue"])
    description = (
        f"The {item.name} {c.pitch}. "
        f"Specifications: dimensions {w} x {h} x {d} cm; weight {item.weight_kg:g} kg; "
        f"material: {rng.choice(c.materials)}; compatibility: {rng.choice(c.compatibility)}. "
        f"Colour: {colour}. In the box: {item.name.split(' (')[0]}, quick-start guide"
        f"{', cable' if rng.random() < 0.6 else ''}. Warranty: {rng.choice([2, 2, 3, 5])} years."
    )
    return description, f"{price:.2f}"
