"""What a script may say about a product: its facts, cleaned for speech, each with the field
that supports it, and the benefits a copywriter would read into its features."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pipelines.product import Product
from pipelines.script.locale import base_language, format_count, format_price, spoken_price

_CJK = re.compile(r"[\u3400-\u9fff]")


def is_cjk_text(text: str) -> bool:
    return len(_CJK.findall(text)) >= max(2, len(text) // 5)


def text_language(text: str) -> str:
    return "zh" if is_cjk_text(text) else "en"


@dataclass(frozen=True)
class Benefit:
    key: str
    en: str  # what it does for you, speakable after "It's" / as a sentence
    zh: str
    pain_en: str  # the problem it solves, as a question
    pain_zh: str
    agitate_en: str
    agitate_zh: str
    broll: str  # an English prompt for the b-roll engine
    label_en: str  # two or three words for an overlay
    label_zh: str


# Keyword -> benefit. Keywords are matched on word starts in features, title and description
# (English) or as substrings (Chinese), so a Chinese page yields English benefits and back.
BENEFITS: list[tuple[tuple[str, ...], Benefit]] = [
    (("insulat", "thermal", "vacuum", "keeps drinks", "hot for", "cold for", "保温", "保冷"), Benefit(
        "temperature", "Your drink stays exactly how you like it.", "热饮保持温热，冷饮依旧冰爽。",
        "Coffee gone cold before you even sit down?", "咖啡还没喝完就凉了？",
        "So you reheat it, forget it, and pour it out again.", "热了又凉，凉了又热，最后只能倒掉。",
        "steam rising from a fresh drink on a sunny desk", "Stays hot or cold", "冷热都能保持")),
    (("waterproof", "water-resistant", "water resistant", "splash", "ipx", "防水"), Benefit(
        "waterproof", "Rain or shine, it keeps going.", "下雨天也不用担心。",
        "Ever had a little rain ruin your gear?", "一场雨就把东西弄坏过吗？",
        "One wet day and you're shopping for a replacement.", "淋一次雨就得重新买，太心累了。",
        "water droplets splashing in slow motion", "Rain or shine", "不怕水")),
    (("lightweight", "light weight", "portable", "compact", "foldable", "travel", "pocket", "slim",
      "便携", "轻巧", "轻便", "折叠", "小巧"), Benefit(
        "portable", "It's light enough to take everywhere.", "轻巧好带，走到哪带到哪。",
        "Tired of bulky stuff that never leaves the closet?", "东西太笨重，买了也懒得带出门？",
        "If it's a hassle to carry, you just won't use it.", "带着麻烦，最后就只能吃灰。",
        "a backpack being packed for a weekend trip", "Take it anywhere", "随身带走")),
    (("battery", "rechargeable", "usb-c", "usb c", "charging", "cordless", "wireless", "续航", "充电",
      "无线"), Benefit(
        "cordless", "No cords, no hunting for an outlet.", "不用到处找插座，随拿随用。",
        "Still untangling cables every morning?", "每天早上还在跟一堆线较劲？",
        "Cords everywhere, and never the one you need.", "线缠成一团，要用的那根永远找不到。",
        "a tidy desk with no cables in sight", "No cords needed", "告别缠线")),
    (("durable", "stainless", "steel", "rugged", "sturdy", "reinforced", "aluminum", "aluminium",
      "titanium", "leather", "solid wood", "built to last", "耐用", "不锈钢", "结实", "坚固", "真皮"), Benefit(
        "durable", "It's built to keep up with real life.", "做工扎实，经得起天天用。",
        "Sick of cheap stuff that falls apart?", "便宜货用不了多久就坏？",
        "Then you end up buying the same thing all over again.", "结果同样的东西又得重新买。",
        "close-up of sturdy materials and careful craftsmanship", "Built to last", "经久耐用")),
    (("dishwasher", "washable", "easy to clean", "removable", "wipe clean", "可拆洗", "易清洗", "可水洗"), Benefit(
        "easy_clean", "Cleanup is quick, so you actually use it.", "清洗省事，用起来没负担。",
        "Dreading the cleanup every single time?", "每次用完都不想洗？",
        "When cleanup is a chore, it ends up in a drawer.", "清洗太麻烦，最后就被塞进抽屉。",
        "hands rinsing a product under a kitchen tap", "Easy cleanup", "清洗超方便")),
    (("easy", "simple", "one-touch", "one touch", "intuitive", "setup", "set up", "plug and play", "一键",
      "简单", "方便", "上手"), Benefit(
        "easy", "There's no learning curve. It just works.", "上手就会，不用研究说明书。",
        "Why does everything need a manual these days?", "为什么现在什么东西都要看半天说明书？",
        "You just want it to work, not another project.", "你只想直接用，不想再多一个麻烦。",
        "a hand pressing a single button with a satisfying click", "Works right away", "上手就会")),
    (("comfort", "soft", "cushion", "ergonomic", "breathable", "memory foam", "plush", "舒适", "柔软",
      "透气", "亲肤"), Benefit(
        "comfort", "It feels good from the very first minute.", "一上手就能感觉到舒服。",
        "Putting up with stuff that just doesn't feel right?", "一直在将就不舒服的东西？",
        "A little discomfort, every day, adds up fast.", "每天一点点不舒服，积累起来就很难受。",
        "a person relaxing comfortably at home", "Feels so good", "舒服自在")),
    (("organic", "natural", "vegan", "plant-based", "plant based", "non-toxic", "bpa-free", "bpa free",
      "recycled", "sustainable", "eco", "有机", "天然", "环保", "无添加"), Benefit(
        "natural", "It's made with ingredients you'd actually want around.", "用料安心，放在家里也放心。",
        "Ever wondered what your everyday stuff is really made of?", "有没有想过，你每天用的东西到底是什么做的？",
        "You deserve to know what you're bringing home.", "带回家的东西，应该用得安心。",
        "fresh green leaves in soft natural light", "Clean ingredients", "用料安心")),
    (("quiet", "silent", "noise", "静音", "安静", "降噪"), Benefit(
        "quiet", "It's so quiet you'll forget it's on.", "安静到你会忘了它在工作。",
        "Is the noise driving you up the wall?", "噪音吵得你心烦？",
        "It's hard to focus when something won't stop buzzing.", "一直嗡嗡响，根本没法专心。",
        "a calm, quiet bedroom at dusk", "Whisper quiet", "安静不打扰")),
    (("fast", "quick", "rapid", "instant", "speed", "快速", "速热", "极速", "秒"), Benefit(
        "fast", "It gets the job done fast, so you can move on.", "速度快，省下的时间留给自己。",
        "Waiting around again?", "又在干等？",
        "Those minutes add up, every single day.", "每天浪费一点时间，加起来可不少。",
        "a time-lapse of a busy morning routine", "Done in no time", "快速搞定")),
    (("sound", "audio", "bass", "speaker", "hd", "4k", "display", "screen", "camera", "音质", "高清",
      "屏幕", "画质"), Benefit(
        "quality", "You can hear and see the difference.", "效果好不好，一看一听就知道。",
        "Still settling for fuzzy, flat quality?", "还在忍受模糊又平淡的效果？",
        "You notice it every single time you use it.", "每次用都会觉得差点意思。",
        "close-up of crisp details and rich colour", "See the difference", "效果一目了然")),
    (("flavor", "flavour", "taste", "roast", "brew", "aroma", "口感", "风味", "新鲜", "香"), Benefit(
        "taste", "It's flavour worth slowing down for.", "这个味道，值得你慢慢品。",
        "Bored of the same bland routine?", "每天都是一样寡淡的味道？",
        "Life's too short for boring flavour.", "生活已经够平淡了，味道不能再将就。",
        "slow motion pour with warm morning light", "Taste the difference", "好味道")),
    (("skin", "hydrat", "moistur", "serum", "glow", "保湿", "肌肤", "补水", "护肤"), Benefit(
        "skin", "Your skin feels cared for, not stripped.", "皮肤被好好照顾，而不是越用越干。",
        "Does your skin feel tight and dull by midday?", "一到中午皮肤就又干又暗？",
        "And piling on more product never seems to fix it.", "越涂越多，问题却没解决。",
        "soft close-up of a skincare routine in a bright bathroom", "Skin feels cared for", "肌肤被呵护")),
    (("capacity", "storage", "spacious", "large", "pockets", "compartment", "容量", "收纳", "大空间"), Benefit(
        "capacity", "There's room for everything you need.", "空间够大，该装的都装得下。",
        "Always running out of space?", "东西总是放不下？",
        "Then it's a mess every time you need something.", "每次找东西都乱成一团。",
        "neatly organised items being packed away", "Room for everything", "超能装")),
    (("design", "stylish", "elegant", "minimal", "handmade", "handcrafted", "colors", "colours",
      "设计", "颜值", "手工", "质感"), Benefit(
        "style", "It looks as good as it works.", "颜值和实力都在线。",
        "Why does useful always have to look boring?", "为什么好用的东西总是长得很普通？",
        "You see it every day, so it should look the part.", "天天都要看到它，好看很重要。",
        "a stylish flat-lay on a clean, bright table", "Looks as good as it works", "颜值在线")),
]

GENERIC = Benefit(
    "everyday", "It makes the everyday stuff feel easy.", "让每天的小事都变得轻松。",
    "Still making do with something that's just okay?", "还在将就一个凑合能用的东西？",
    "Okay gets old when you use it every day.", "天天用的东西，凑合久了真的很累。",
    "a bright lifestyle scene at home", "Everyday upgrade", "日常升级")


@dataclass
class FeatureFact:
    index: int
    text: str  # cleaned, one sentence, as found on the page
    language: str
    label: str  # a short overlay (<= 5 words), still only words from the page


@dataclass
class ReviewFact:
    index: int
    text: str  # one or two sentences of the review, as written
    author: str | None
    rating: float | None
    language: str


@dataclass
class Facts:
    product: Product
    name: str  # short spoken name
    brand: str | None
    features: list[FeatureFact] = field(default_factory=list)
    reviews: list[ReviewFact] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)  # best first, always at least GENERIC
    description_sentences: list[str] = field(default_factory=list)
    description_language: str = "en"

    @property
    def has_price(self) -> bool:
        return self.product.price is not None and self.product.price > 0

    def price(self, language: str, spoken: bool = True) -> str:
        fn = spoken_price if spoken else format_price
        return fn(self.product.price, self.product.currency, language)

    def list_price(self, language: str, spoken: bool = True) -> str:
        fn = spoken_price if spoken else format_price
        return fn(self.product.list_price, self.product.currency, language)

    def savings(self, language: str, spoken: bool = True) -> str:
        fn = spoken_price if spoken else format_price
        return fn(round(self.product.list_price - self.product.price, 2), self.product.currency, language)

    @property
    def discount_percent(self) -> int | None:
        p = self.product
        if not p.on_sale:
            return None
        # rounded down: "save 25%" must never promise more than the page gives
        return int(math.floor(100 * (p.list_price - p.price) / p.list_price + 1e-9))

    @property
    def rating_value(self) -> str | None:
        r = self.product.rating
        return None if r is None else f"{r.value:.1f}".rstrip("0").rstrip(".")

    @property
    def strong_rating(self) -> bool:
        r = self.product.rating
        return bool(r and r.value / (r.best or 5) >= 0.8 and (r.count or 0) != 1)

    def rating_count(self, language: str) -> str | None:
        r = self.product.rating
        return None if r is None or not r.count else format_count(r.count, language)

    def features_in(self, language: str) -> list[FeatureFact]:
        return [f for f in self.features if f.language == base_language(language)]

    def reviews_in(self, language: str) -> list[ReviewFact]:
        return [r for r in self.reviews if r.language == base_language(language)]


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if len(s.strip()) > 1]


def short_name(product: Product) -> str:
    """The name a presenter would say: no brand prefix, no variant/size tail."""
    title = re.sub(r"\s+", " ", product.title).strip()
    for sep in (" | ", " - ", " – ", " — ", ", ", "（", "(", "，"):
        head = title.split(sep)[0].strip()
        if len(head) >= 3:
            title = head
    if product.brand and title.lower().startswith(product.brand.lower() + " "):
        rest = title[len(product.brand):].strip()
        if len(rest) >= 3:
            title = rest
    if is_cjk_text(title):
        # whole space-separated segments only: "太空探索系列 1000片拼图 宇航员" -> "太空探索系列 1000片拼图"
        name = ""
        for segment in title.split():
            if name and len(name) + 1 + len(segment) > 14:
                break
            name = f"{name} {segment}".strip()
        return name if len(name) <= 20 else name[:20]
    words = title.split()
    return " ".join(words[:5])


def _clean_feature(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().strip("•·-–—*").strip()
    sentences = split_sentences(text) or [text]
    text = sentences[0]
    if not is_cjk_text(text):
        text = text[0].upper() + text[1:] if text else text
        if text and text[-1] not in ".!?":
            text += "."
    elif text[-1] not in "。！？":
        text += "。"
    return text


def _label(text: str) -> str:
    """An overlay from the feature's own words: the head before any colon/dash/comma, <= 5 words."""
    head = re.split(r"[:;,–—(（：，。]|\s-\s", text)[0].strip().rstrip(".!。")
    if is_cjk_text(head):
        return head[:10]
    words = head.split()
    while words and words[0].lower() in {"a", "an", "the", "with", "our", "your"}:
        words = words[1:]
    if len(words) > 5:  # keep the noun phrase: stop before the first verb or preposition
        for i, w in enumerate(words[1:], 1):
            if w.lower() in _PHRASE_BREAKS and i >= 2:
                words = words[:i]
                break
    return " ".join(words[:5])


_PHRASE_BREAKS = {"keeps", "keep", "with", "for", "in", "that", "to", "and", "is", "are", "makes", "make", "lets",
                  "let", "so", "which", "from", "on", "of", "by", "gives", "helps", "stays", "without", "at"}


def product_text(product: Product) -> str:
    parts = [product.title, product.brand or "", product.description, *product.features,
             *(r.text for r in product.reviews), *product.category]
    return "\n".join(p for p in parts if p)


def _matches(keyword: str, haystack: str) -> bool:
    if _CJK.search(keyword):
        return keyword in haystack
    return re.search(r"(?<![a-z])" + re.escape(keyword), haystack) is not None


def extract_facts(product: Product, blocked: list[str] | None = None) -> Facts:
    from pipelines.script.guards import blocked_terms_in

    blocked = blocked or []
    features = []
    for i, raw in enumerate(product.features):
        text = _clean_feature(raw)
        if not text or len(text) > 180 or blocked_terms_in(text, blocked):
            continue
        features.append(FeatureFact(i, text, text_language(text), _label(text)))
    reviews = []
    for i, review in enumerate(product.reviews):
        sentences = split_sentences(review.text)
        if not sentences or blocked_terms_in(review.text, blocked):
            continue
        text = sentences[0]
        if len(text) < 60 and len(sentences) > 1:
            text = f"{text} {sentences[1]}" if not is_cjk_text(text) else text + sentences[1]
        if len(text) > 170:
            continue
        if review.rating is not None and review.rating < 4:
            continue  # a testimonial quotes the happy customers
        reviews.append(ReviewFact(i, text, review.author, review.rating, text_language(text)))
    reviews.sort(key=lambda r: (-(r.rating or 0), abs(len(r.text) - 90)))

    haystack = "\n".join([product.title, product.description, *product.features, *product.category]).lower()
    scored = []
    for order, (keywords, benefit) in enumerate(BENEFITS):
        hits = sum(1 for k in keywords if _matches(k, haystack))
        if hits:
            scored.append((-hits, order, benefit))
    benefits = [b for _, _, b in sorted(scored, key=lambda t: (t[0], t[1]))] + [GENERIC]
    # a benefit whose stock lines trip the workspace's word list is not ours to use
    benefits = [b for b in benefits if b is GENERIC or not blocked_terms_in(
        " ".join([b.en, b.zh, b.pain_en, b.pain_zh, b.agitate_en, b.agitate_zh, b.label_en, b.label_zh]), blocked)]

    description = [s for s in split_sentences(product.description)
                   if 20 <= len(s) <= 160 and not blocked_terms_in(s, blocked)]
    return Facts(product=product, name=short_name(product), brand=product.brand, features=features,
                 reviews=reviews, benefits=benefits, description_sentences=description[:6],
                 description_language=text_language(product.description or product.title))
