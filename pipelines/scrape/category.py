"""A small product taxonomy, read from breadcrumbs, JSON-LD category / product type and the title.

The key steers the script writer (which hooks and angles fit, which b-roll and hashtags), so it
errs towards None: an unknown category gets plain, true copy instead of a wrong premise.
"""

from __future__ import annotations

import re

TAXONOMY: dict[str, str] = {
    "food_drink": "food & drink", "beauty": "beauty", "apparel": "apparel", "home": "home",
    "furniture": "furniture", "pets": "pets", "toys_hobbies": "toys & hobbies", "electronics": "electronics",
    "sports_outdoors": "sports & outdoors", "tools": "tools & industrial", "baby": "baby",
}

# Keywords per category, matched at word starts (Latin) or as substrings (CJK). English, Spanish,
# German, French and Chinese shop vocabulary.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "pets": ("pet", "cat", "cats", "kitten", "dog", "dogs", "puppy", "leash", "collar", "litter", "aquarium",
             "mascota", "perro", "gato", "haustier", "katze", "hund", "chien", "chat ", "宠物", "猫", "狗"),
    "food_drink": ("food", "grocery", "groceries", "coffee", "tea", "snack", "chocolate", "sauce", "spice",
                   "honey", "olive oil", "wine", "beer", "beverage", "drink", "gourmet", "pantry", "whole bean",
                   "roast", "granola", "candy", "cookies", "alimentación", "café", "comida", "bebida",
                   "lebensmittel", "kaffee", "épicerie", "食品", "咖啡", "茶叶", "零食", "饮料"),
    "beauty": ("beauty", "skincare", "skin care", "deodorant", "body care", "soap", "serum", "moisturizer", "moisturiser", "cleanser", "makeup",
               "lipstick", "mascara", "shampoo", "conditioner", "fragrance", "perfume", "lotion", "sunscreen",
               "cosmetic", "belleza", "cosmética", "kosmetik", "beauté", "美妆", "护肤", "化妆"),
    "apparel": ("apparel", "clothing", "clothes", "bags", "bag", "tote", "handbag", "beanie", "hats", "gloves", "shirt", "t-shirt", "tee", "dress", "jacket", "coat", "hoodie",
                "sweater", "jeans", "pants", "trousers", "shorts", "socks", "shoes", "sneakers", "boots",
                "hat", "scarf", "fashion", "jewelry", "jewellery", "necklace", "earrings", "bracelet", "ring",
                "ropa", "moda", "camiseta", "vestido", "joyería", "pendientes", "collar de", "bekleidung",
                "vêtements", "服装", "衣", "鞋", "首饰"),
    "furniture": ("furniture", "sofa", "couch", "sectional", "armchair", "chair", "desk", "table", "bookcase",
                  "bookshelf", "shelf", "shelving", "dresser", "wardrobe", "cabinet", "nightstand", "bed frame",
                  "mattress", "ottoman", "bench", "workbench", "tabletop", "muebles", "mesa", "silla", "möbel",
                  "meubles", "家具", "桌", "椅", "沙发"),
    "home": ("home", "kitchen", "desk lamp", "table lamp", "floor lamp", "espresso", "coffee maker", "blender",
             "grinder", "kettle", "teapot", "dripper", "pour-over", "planter", "cutting board", "knife", "dining", "decor", "décor", "lighting", "lamp", "sconce", "wall light", "rug",
             "curtain", "bedding", "pillow", "blanket", "towel", "cookware", "drinkware", "mug", "bottle", "plate",
             "plates", "bowl", "vase", "candle", "poster", "print", "wall art", "frame", "storage", "organizer",
             "hogar", "cocina", "decoración", "taza", "cerámica", "wohnen", "küche", "maison", "cuisine",
             "家居", "厨房", "餐具", "茶具", "灯", "榨汁", "水壶", "杯"),
    "toys_hobbies": ("toy", "toys", "game", "games", "puzzle", "jigsaw", "lego", "building set", "model kit",
                     "model rocket", "rocket", "hobby", "hobbies", "craft", "crafts", "kids", "board game", "plush",
                     "juguete", "juegos", "rompecabezas", "spielzeug", "jouet", "玩具", "拼图", "益智", "模型"),
    "electronics": ("electronics", "electronic", "headphones", "earbuds", "speaker", "bluetooth", "charger",
                    "usb", "camera", "laptop", "phone", "tablet", "smart", "wireless", "monitor", "keyboard",
                    "mouse", "audio", "electrónica", "auriculares", "elektronik", "électronique", "数码", "电子",
                    "耳机", "充电"),
    "sports_outdoors": ("sports", "sport", "outdoor", "outdoors", "camping", "hiking", "fitness", "yoga", "gym",
                        "cycling", "bike", "running", "fishing", "tent", "backpack", "deportes", "aire libre",
                        "运动", "户外"),
    "tools": ("tools", "tool", "hardware", "industrial", "drill", "wrench", "screwdriver", "workshop", "fastener",
              "fasteners", "abrasive", "safety glasses", "herramientas", "werkzeug", "outils", "工具", "五金"),
    "baby": ("baby", "infant", "newborn", "toddler", "nursery", "diaper", "bebé", "婴儿", "母婴"),
}

_CJK = re.compile(r"[\u3400-\u9fff]")


def _hits(keyword: str, text: str) -> int:
    if _CJK.search(keyword):
        return text.count(keyword)
    return len(re.findall(r"(?<![\w])" + re.escape(keyword) + r"(?![\w])", text))


def classify(*, breadcrumbs: list[str] | None = None, product_type: str | None = None, title: str = "",
             description: str = "") -> str | None:
    """The taxonomy key that the page's own words point to, or None when nothing clearly does.

    Breadcrumbs and the declared product type weigh most (the shop filed it there), then the
    title; the description only breaks ties.
    """
    sources = [(" / ".join(breadcrumbs or []).lower(), 3.0), ((product_type or "").lower(), 3.0),
               ((title or "").lower(), 2.0), ((description or "")[:600].lower(), 0.5)]
    scores: dict[str, float] = {}
    for key, words in KEYWORDS.items():
        score = 0.0
        for text, weight in sources:
            if text:
                score += weight * min(2, sum(_hits(w, text) for w in words))
        if score:
            scores[key] = score
    if not scores:
        return None
    # a pet's bed or a kid's puzzle is filed under its buyer, not the object: pets and baby and
    # toys win over home/furniture at equal evidence
    priority = ["pets", "baby", "toys_hobbies", "food_drink", "beauty", "apparel", "electronics", "tools",
                "sports_outdoors", "furniture", "home"]
    best = max(scores.values())
    if best < 2.0:
        return None
    return next(k for k in priority if scores.get(k) == best) if list(scores.values()).count(best) > 1 \
        else max(scores, key=scores.get)


def label(key: str | None) -> str:
    return TAXONOMY.get(key or "", "")
