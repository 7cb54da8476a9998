"""What a script may say about a product: its facts, cleaned for speech, each with the field
that supports it, and the benefits a copywriter would read into its features."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from pipelines.product import Product
from pipelines.script.blocklist import blocked_terms_in
from pipelines.script.locale import base_language, format_count, format_price, spoken_price

_CJK = re.compile(r"[\u3400-\u9fff]")


def is_cjk_text(text: str) -> bool:
    return len(_CJK.findall(text)) >= max(2, len(text) // 5)


def text_language(text: str, page_language: str = "en") -> str:
    """The language a fact is written in: CJK text is the page's CJK language (else zh); other
    text is the page's language unless the page is CJK (then an English spec line)."""
    page_language = base_language(page_language or "en")
    if is_cjk_text(text):
        return page_language if page_language in ("zh", "ja") else "zh"
    return "en" if page_language in ("zh", "ja", "ko") else page_language


@dataclass(frozen=True)
class Benefit:
    key: str
    en: str  # what it does for you, speakable after "It's" / as a sentence
    zh: str
    pain_en: str  # the problem it solves, as a question ("" when no problem premise fits this product)
    pain_zh: str
    agitate_en: str
    agitate_zh: str
    broll: str  # an English prompt for the b-roll engine
    label_en: str  # two or three words for an overlay
    label_zh: str
    field: str = ""  # the Product field whose words back this angle ("features[2]", "description", "title")
    evidence: str = ""  # those words, as found
    # Spanish, worded so that it needs no gender or number agreement with the product's noun
    es: str = ""
    pain_es: str = ""
    agitate_es: str = ""
    label_es: str = ""

    @property
    def has_pain(self) -> bool:
        return bool(self.pain_en and self.pain_zh)

    def line(self, language: str) -> str:
        """The angle's line in language ("en", "zh", "es")."""
        return getattr(self, language)

    def pain(self, language: str) -> str:
        return getattr(self, f"pain_{language}")

    def agitate(self, language: str) -> str:
        return getattr(self, f"agitate_{language}")

    def label(self, language: str) -> str:
        return getattr(self, f"label_{language}")

    def texts(self) -> list[str]:
        """Every line of the angle in every language (for word lists and audits)."""
        return [getattr(self, f"{part}{lang}") for part in ("", "pain_", "agitate_", "label_")
                for lang in ("en", "zh", "es")]


@dataclass(frozen=True)
class Angle:
    """An angle a copywriter may take, and what the page must say before it may be taken.

    evidence: words that must appear in a feature, the description or the title (that field is
    recorded beside every line the angle writes); against: words anywhere on the page that make
    the premise false (a *wired* lamp is not cordless); needs: a second thing the page must also
    say (insulation keeps *drinks* hot only on something you drink from); categories: the taxonomy
    keys where the angle makes sense at all (None: any); pain_in: where its problem premise (the
    PAS hook and agitation) fits (None: wherever the angle does); by_category: other wording for
    some categories (a water-resistant cat bed is not rain gear).
    """

    evidence: str
    benefit: Benefit
    against: str | None = None
    needs: str | None = None
    categories: frozenset[str] | None = None
    pain_in: frozenset[str] | None = None
    by_category: tuple[tuple[frozenset[str], dict], ...] = ()


def _cats(*keys: str) -> frozenset[str]:
    return frozenset(keys)


NOT_CONSUMABLE = _cats("home", "furniture", "pets", "toys_hobbies", "electronics", "sports_outdoors", "tools",
                       "apparel", "baby")
_NO_PAIN = {"pain_en": "", "pain_zh": "", "pain_es": "", "agitate_en": "", "agitate_zh": "", "agitate_es": ""}
_FURNITURE_NOUNS = (r"\b(?:desk|table|sofa|couch|bed|cabinet|bookcase|shelf|shelving|dresser|wardrobe|workbench|"
                    r"sectional|tabletop|top)\b|桌|柜|沙发")

ANGLES: list[Angle] = [
    Angle(r"insulat|vacuum|thermal|keeps drinks|hot for \d|cold for \d|保温|保冷", Benefit(
        "temperature", "Your drink stays exactly how you like it.", "热饮保持温热，冷饮依旧冰爽。",
        "Coffee gone cold before you even sit down?", "咖啡还没喝完就凉了？",
        "So you reheat it, forget it, and pour it out again.", "热了又凉，凉了又热，最后只能倒掉。",
        "steam rising from a fresh drink on a sunny desk", "Stays hot or cold", "冷热都能保持",
        es="Tu bebida, justo como te gusta.", label_es="Frío o calor, como quieras",
        pain_es="¿El café se te enfría antes de sentarte?",
        agitate_es="Lo recalientas, te olvidas y acabas tirándolo."),
        needs=r"bottle|tumbler|mug|flask|thermos|cup\b|drink|coffee|tea\b|杯|壶", 
        categories=_cats("home", "food_drink", "sports_outdoors")),
    Angle(r"waterproof|water[- ]resistant|water[- ]repellent|splash|\bipx\d|impermeable|rain (?:jacket|coat|shell|"
          r"boots|cover)|防水", Benefit(
        "waterproof", "Rain or shine, it keeps going.", "下雨天也不用担心。",
        "Ever had a little rain ruin your gear?", "一场雨就把东西弄坏过吗？",
        "One wet day and you're shopping for a replacement.", "淋一次雨就得重新买，太心累了。",
        "water droplets splashing in slow motion", "Rain or shine", "不怕水",
        es="Con lluvia o con sol, sin problema.", label_es="Con lluvia o con sol",
        pain_es="¿Alguna vez la lluvia te ha estropeado algo?",
        agitate_es="Un día de lluvia y ya estás buscando un recambio."),
        categories=NOT_CONSUMABLE, pain_in=_cats("sports_outdoors", "apparel", "electronics", "tools"),
        by_category=((_cats("home", "furniture", "pets", "baby", "toys_hobbies"), {
            "en": "Water-resistant where it counts.", "zh": "关键的地方防水。", "label_en": "Water-resistant",
            "label_zh": "防水", "es": "Protección contra el agua donde importa.", "label_es": "Protección contra el agua",
            "broll": "water beading on a fabric surface in close-up", **_NO_PAIN}),)),
    Angle(r"lightweight|light weight|portable|travel|foldable|folds|pocket|on the go|便携|轻巧|轻便|折叠", Benefit(
        "portable", "It's light enough to take everywhere.", "轻巧好带，走到哪带到哪。",
        "Tired of bulky stuff that never leaves the closet?", "东西太笨重，买了也懒得带出门？",
        "If it's a hassle to carry, you just won't use it.", "带着麻烦，最后就只能吃灰。",
        "a backpack being packed for a weekend trip", "Take it anywhere", "随身带走",
        es="Poco peso, para llevar contigo a todas partes.", label_es="Para llevar a todas partes",
        pain_es="¿Tienes cosas tan voluminosas que nunca salen del armario?",
        agitate_es="Si llevar algo es un engorro, al final no se usa."),
        against=_FURNITURE_NOUNS, categories=_cats("electronics", "sports_outdoors", "home", "beauty", "apparel",
                                                   "toys_hobbies", "baby", "tools"),
        pain_in=_cats("electronics", "sports_outdoors", "beauty")),
    Angle(r"cordless|wireless(?!\s*charg)|rechargeable|battery[- ](?:powered|operated)|built-in battery|\d+\s*mah\b|"
          r"无线(?!充)|充电式", Benefit(
        "cordless", "No cords getting in the way.", "没有线缠着，随拿随用。",
        "Still untangling cables every morning?", "每天早上还在跟一堆线较劲？",
        "Cords everywhere, and never the one you need.", "线缠成一团，要用的那根永远找不到。",
        "a tidy desk with no cables in sight", "No cords needed", "告别缠线",
        es="Sin cables que estorben.", label_es="Sin cables",
        pain_es="¿Sigues desenredando cables cada mañana?",
        agitate_es="Cables por todas partes, y nunca el que necesitas."),
        against=(r"\bwired\b|hard-?wired|hardwire|plug[- ]?in\b|\bcorded\b|power cord|with (?:a |an )?(?:[\d.]+\s*(?:ft|feet|m)\s+)?"
                 r"(?:power )?cord\b|\bmains\b|ac adapter|插电|有线"),
        categories=_cats("electronics", "home", "tools", "sports_outdoors", "beauty", "toys_hobbies", "baby"),
        pain_in=_cats("electronics", "home", "beauty")),
    Angle(r"durable|stainless|\bsteel\b|rugged|sturdy|reinforced|alumini?um|titanium|leather|solid (?:wood|oak|"
          r"maple|walnut|ash)|hardwood|butcher block|cast iron|heavy[- ]duty|built to last|耐用|不锈钢|结实|坚固|真皮|实木",
          Benefit(
        "durable", "It's built to keep up with real life.", "做工扎实，经得起天天用。",
        "Sick of cheap stuff that falls apart?", "便宜货用不了多久就坏？",
        "Then you end up buying the same thing all over again.", "结果同样的东西又得重新买。",
        "close-up of sturdy materials and careful craftsmanship", "Built to last", "经久耐用",
        es="Pensado para aguantar el día a día.", label_es="Pensado para durar",
        pain_es="¿Otra vez cosas baratas que se rompen enseguida?",
        agitate_es="Y al final acabas comprando lo mismo otra vez."),
        categories=NOT_CONSUMABLE),
    Angle(r"dishwasher|machine[- ]washable|washable|easy to clean|wipes? clean|removable (?:cover|lid|liner|insert)|"
          r"lavable|lavavajillas|可拆洗|易清洗|可水洗|机洗", Benefit(
        "easy_clean", "Cleanup is quick, so you actually use it.", "清洗省事，用起来没负担。",
        "Dreading the cleanup every single time?", "每次用完都不想洗？",
        "When cleanup is a chore, it gets put off.", "清洗太麻烦，就总是一拖再拖。",
        "hands rinsing a product under a kitchen tap", "Easy cleanup", "清洗超方便",
        es="La limpieza es cosa de un momento.", label_es="Limpieza fácil",
        pain_es="¿Te da pereza limpiar cada vez?",
        agitate_es="Cuando limpiar es un rollo, siempre lo dejas para luego."),
        categories=NOT_CONSUMABLE, pain_in=_cats("home", "pets", "baby", "furniture"),
        by_category=((_cats("pets", "apparel", "baby", "furniture"), {
            "en": "When it needs a wash, it goes straight in.", "zh": "脏了直接洗，省心省力。",
            "es": "¿Toca lavar? A la lavadora y listo.",
            "broll": "a soft fabric item going into a washing machine"}),)),
    Angle(r"easy to (?:use|install|assemble|set up|mount)|easy (?:setup|installation|assembly)|no tools|tool-free|"
          r"plug and play|one-touch|one touch|no assembly|intuitive|一键|上手|免安装|易安装", Benefit(
        "easy", "There's no learning curve. It just works.", "上手就会，不用研究说明书。",
        "Why does everything need a manual these days?", "为什么现在什么东西都要看半天说明书？",
        "You just want it to work, not another project.", "你只想直接用，不想再多一个麻烦。",
        "a hand pressing a single button with a satisfying click", "Easy to set up", "上手就会",
        es="Sin manuales ni complicaciones: usar y listo.", label_es="Usar y listo",
        pain_es="¿Por qué hoy en día todo necesita un manual?",
        agitate_es="Tú solo quieres que funcione, no otro proyecto."),
        categories=_cats("electronics", "home", "tools", "furniture", "toys_hobbies", "baby", "sports_outdoors")),
    Angle(r"comfort|\bsoft\b|cushion|ergonomic|breathable|memory foam|plush|faux[- ]fur|bolster|padded|\bcos?zy|"
          r"舒适|柔软|透气|亲肤", Benefit(
        "comfort", "It feels good from the very first minute.", "一上手就能感觉到舒服。",
        "Putting up with stuff that just doesn't feel right?", "一直在将就不舒服的东西？",
        "A little discomfort, every day, adds up fast.", "每天一点点不舒服，积累起来就很难受。",
        "a person relaxing comfortably at home", "Feels so good", "舒服自在",
        es="Comodidad desde el primer minuto.", label_es="Comodidad desde el primer minuto",
        pain_es="¿Sigues aguantando cosas que no te resultan cómodas?",
        agitate_es="Una pequeña molestia, cada día, acaba pesando."),
        categories=_cats("home", "furniture", "pets", "apparel", "baby", "sports_outdoors", "electronics"),
        pain_in=_cats("furniture", "apparel", "home"),
        by_category=((_cats("pets"), {"en": "Soft where it counts.", "zh": "该软的地方都很软。",
                                      "label_en": "Soft where it counts", "label_zh": "柔软舒适",
                                      "es": "Suavidad donde importa.", "label_es": "Suavidad donde importa",
                                      "broll": "a pet curled up asleep in soft window light", **_NO_PAIN}),)),
    Angle(r"organic|\bnatural\b|vegan|plant[- ]based|non-toxic|bpa[- ]free|recycled|sustainabl|eco-friendly|"
          r"eco friendly|soy ink|有机|天然|环保|无添加", Benefit(
        "natural", "It's made with ingredients you'd actually want around.", "用料安心，放在家里也放心。",
        "Ever wondered what your everyday stuff is really made of?", "有没有想过，你每天用的东西到底是什么做的？",
        "You deserve to know what you're bringing home.", "带回家的东西，应该用得安心。",
        "fresh green leaves in soft natural light", "Clean ingredients", "用料安心",
        es="Con ingredientes que de verdad quieres en tu casa.", label_es="Ingredientes de confianza",
        pain_es="¿Alguna vez te has preguntado de qué están hechas tus cosas de cada día?",
        agitate_es="Mereces saber qué te llevas a casa."),
        pain_in=_cats("food_drink", "beauty", "baby"),
        by_category=((NOT_CONSUMABLE, {"en": "It's made with materials you can feel good about.",
                                       "zh": "用料讲究，用着放心。", "label_en": "Thoughtful materials",
                                       "label_zh": "用料讲究", "es": "Con materiales de los que te puedes fiar.",
                                       "label_es": "Materiales cuidados",
                                       "broll": "close-up of natural textures in soft light",
                                       **_NO_PAIN}),)),
    Angle(r"\bquiet|silent|low[- ]noise|noise[- ]cancel|whisper|静音|安静|降噪", Benefit(
        "quiet", "It's so quiet you'll forget it's on.", "安静到你会忘了它在工作。",
        "Is the noise driving you up the wall?", "噪音吵得你心烦？",
        "It's hard to focus when something won't stop buzzing.", "一直嗡嗡响，根本没法专心。",
        "a calm, quiet bedroom at dusk", "Whisper quiet", "安静不打扰",
        es="Funciona en silencio, sin molestar.", label_es="En silencio",
        pain_es="¿El ruido te saca de quicio?",
        agitate_es="Cuesta concentrarse con algo zumbando sin parar."),
        categories=_cats("electronics", "home", "tools", "baby")),
    Angle(r"fast[- ]charg|quick[- ]charg|heats? up in|boils? in|in (?:just |under )?\d+ (?:seconds|minutes)|"
          r"quick[- ]dry|rapid|high[- ]speed|快充|速热|秒出|\d+秒", Benefit(
        "fast", "It gets the job done fast, so you can move on.", "速度快，省下的时间留给自己。",
        "Waiting around again?", "又在干等？",
        "Those minutes add up, every single day.", "每天浪费一点时间，加起来可不少。",
        "a time-lapse of a busy morning routine", "Done in no time", "快速搞定",
        es="Listo en nada, y a otra cosa.", label_es="Listo en nada",
        pain_es="¿Esperando otra vez?",
        agitate_es="Esos minutos suman, todos los días."),
        categories=_cats("electronics", "home", "tools", "beauty", "sports_outdoors", "apparel")),
    Angle(r"hi-?fi|\bbass\b|sound quality|\baudio\b|speaker|\bhd\b|\b4k\b|display|screen|megapixel|sensor|"
          r"resolution|音质|高清|画质", Benefit(
        "quality", "You can hear and see the difference.", "效果好不好，一看一听就知道。",
        "Still settling for fuzzy, flat quality?", "还在忍受模糊又平淡的效果？",
        "You notice it every single time you use it.", "每次用都会觉得差点意思。",
        "close-up of crisp details and rich colour", "See the difference", "效果一目了然",
        es="Se nota la diferencia, a la vista y al oído.", label_es="Se nota la diferencia",
        pain_es="¿Sigues conformándote con una calidad borrosa y plana?",
        agitate_es="Lo notas cada vez que lo usas."),
        categories=_cats("electronics")),
    Angle(r"flavou?r|taste|tasting|\broast|brew|aroma|notes of|口感|风味|香气", Benefit(
        "taste", "It's flavour worth slowing down for.", "这个味道，值得你慢慢品。",
        "Bored of the same bland routine?", "每天都是一样寡淡的味道？",
        "Life's too short for boring flavour.", "生活已经够平淡了，味道不能再将就。",
        "slow motion pour with warm morning light", "Taste the difference", "好味道",
        es="Un sabor que merece disfrutarse con calma.", label_es="Sabor que se nota",
        pain_es="¿Siempre la misma rutina sin sabor?",
        agitate_es="La vida es demasiado corta para sabores aburridos."),
        categories=_cats("food_drink")),
    Angle(r"\bskin|hydrat|moistur|serum|glow|保湿|肌肤|补水|护肤", Benefit(
        "skin", "Your skin feels cared for, not stripped.", "皮肤被好好照顾，而不是越用越干。",
        "Does your skin feel tight and dull by midday?", "一到中午皮肤就又干又暗？",
        "And piling on more product never seems to fix it.", "越涂越多，问题却没解决。",
        "soft close-up of a skincare routine in a bright bathroom", "Skin feels cared for", "肌肤被呵护",
        es="Tu piel se siente cuidada, no reseca.", label_es="Piel cuidada",
        pain_es="¿Sientes la piel tirante y apagada a mediodía?",
        agitate_es="Y echar más producto nunca parece arreglarlo."),
        categories=_cats("beauty")),
    Angle(r"spacious|capacity|compartment|pockets|holds up to|roomy|plenty of storage|storage space|extra storage|"
          r"with storage|容量|收纳|大空间", Benefit(
        "capacity", "There's room for everything you need.", "空间够大，该装的都装得下。",
        "Always running out of space?", "东西总是放不下？",
        "Then it's a mess every time you need something.", "每次找东西都乱成一团。",
        "neatly organised items being packed away", "Room for everything", "超能装",
        es="Hay sitio para todo lo que necesitas.", label_es="Sitio para todo",
        pain_es="¿Siempre te quedas sin espacio?",
        agitate_es="Y cada vez que buscas algo, es un caos."),
        categories=_cats("home", "furniture", "sports_outdoors", "apparel", "electronics", "baby", "tools")),
    Angle(r"\bdesign|stylish|elegant|minimal|handmade|hand-made|handcrafted|hand-thrown|hand thrown|mid-century|"
          r"(?:hech|torneada|martillad)[oa]s? a mano|artesan|设计|颜值|手工|质感", Benefit(
        "style", "It looks as good as it works.", "颜值和实力都在线。",
        "Why does useful always have to look boring?", "为什么好用的东西总是长得很普通？",
        "You see it every day, so it should look the part.", "天天都要看到它，好看很重要。",
        "a stylish flat-lay on a clean, bright table", "Looks as good as it works", "颜值在线",
        es="Belleza y utilidad, todo en uno.", label_es="Belleza y utilidad",
        pain_es="¿Por qué lo práctico siempre tiene que ser aburrido?",
        agitate_es="Lo vas a ver cada día, así que también importa cómo luce."),
        categories=_cats("home", "furniture", "electronics", "apparel", "tools", "baby"),
        pain_in=_cats("home", "electronics", "tools"),
        by_category=((_cats("apparel", "furniture"), {"en": "It looks the part, every day.", "zh": "每天看着都舒心。",
                                                "es": "Estilo para cada día."}),)),
]

# When nothing specific is supported, a plain, true line beats a vivid wrong one: no problem to
# solve (so no PAS), no promise, and b-roll that fits the kind of product.
GENERIC = Benefit(
    "everyday", "The appeal is easy to see.", "喜欢它的理由，一看就懂。", "", "", "", "",
    "a bright lifestyle scene at home", "Take a closer look", "细节看得见",
        es="Su atractivo salta a la vista.", pain_es="", agitate_es="", label_es="Mira los detalles")

CATEGORY_BROLL = {
    "pets": "a pet resting in a cosy living room, soft window light",
    "food_drink": "ingredients on a rustic kitchen table in warm light",
    "beauty": "a bright bathroom shelf in soft morning light",
    "apparel": "a clothing rail in a bright, airy studio",
    "home": "a bright, tidy living room in natural light",
    "furniture": "a sunlit room with modern furniture",
    "toys_hobbies": "a family table with a project in progress",
    "electronics": "a clean desk setup with a soft screen glow",
    "sports_outdoors": "an outdoor trail at golden hour",
    "tools": "a tidy workshop bench in daylight",
    "baby": "a calm nursery in soft light",
}


def _angle_benefit(angle: Angle, taxonomy: str | None, field_name: str, evidence: str) -> Benefit:
    update: dict = {"field": field_name, "evidence": evidence}
    for keys, words in angle.by_category:
        if taxonomy in keys:
            update.update(words)
            break
    pain_in = angle.pain_in if angle.pain_in is not None else angle.categories
    if taxonomy is None or (pain_in is not None and taxonomy not in pain_in):  # a problem needs a known kind
        update.update(_NO_PAIN)
    return replace(angle.benefit, **update)


def angle_said(text: str, benefit: Benefit, language: str) -> bool:
    """One of the angle's lines (its line, problem or agitation) is in text; an English line may
    start 'They're' where the bank says 'It's', so the first word is not compared."""
    lines = [benefit.line(language), benefit.pain(language), benefit.agitate(language)]
    return any(line and line.split(" ", 1)[-1] in text for line in lines)


def supported_benefits(product: Product, taxonomy: str | None) -> list[Benefit]:
    """The angles this product's own words support, best evidenced first, each with its field."""
    fields = [(f"features[{i}]", t) for i, t in enumerate(product.features)] + [
        ("description", product.description), ("title", product.title)]
    page = "\n".join([product.title, product.description, *product.features]).lower()
    scored = []
    for order, angle in enumerate(ANGLES):
        if angle.categories is not None and taxonomy not in angle.categories and (
                taxonomy is not None or len(angle.categories) < 4):
            continue  # an unknown kind of product still gets the broad angles its words back, never taste or skin
        if angle.against and re.search(angle.against, page, re.I):
            continue
        if angle.needs and not re.search(angle.needs, page, re.I):
            continue
        hits = [(name, m.group(0)) for name, text in fields
                for m in [re.search(angle.evidence, (text or "").lower(), re.I)] if m]
        if not hits:
            continue
        name, words = hits[0]
        scored.append((-len(hits), order, _angle_benefit(angle, taxonomy, name, words)))
    return [b for _, _, b in sorted(scored, key=lambda t: (t[0], t[1]))]


@dataclass
class FeatureFact:
    index: int
    text: str  # cleaned, one sentence, as found on the page
    language: str
    label: str  # a short overlay (<= 5 words), still only words from the page
    spoken_short: str = ""  # the feature in a few words that end where the page's own phrase ends, or ""


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
    taxonomy: str | None = None  # pipelines.scrape.category key

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

    def rating_in(self, language: str) -> str | None:
        """The rating as the language writes it: '4.9', '4,9' in Spanish."""
        return None if self.rating_value is None else format_count(float(self.rating_value), language)

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


# size / variant / pack tails a spoken name may drop: '60"W x 24"D', '750 ml', 'Set of 4', 'Medium', '1000 Pieces'
_SIZE_WORDS = {"xxs", "xs", "s", "m", "l", "xl", "xxl", "small", "medium", "large", "x-large", "mini", "king",
               "queen", "twin", "full", "pequeño", "mediano", "grande", "x", "×", "by"}
_MEASURE = re.compile(r"\d[\d.,/-]*\s*(?:\"|”|''|″)?\s*(?:[A-Za-z]{1,2}\b|in|inch|inches|cm|mm|ft|oz|ml|lbs?|kg|pack|"
                      r"pcs|pieces?|count|ct|tier|piezas|片|毫升|克|厘米)?\.?(?:\"|”|″)?", re.I)


def _is_size(segment: str, *, bare_numbers: bool = False) -> bool:
    """'60"W x 24"D x 1-3/4"', 'Medium', '750 ml', 'Set of 4': says which one, not what it is.
    A bare number ('Trail Runner 3') is a model name, not a size, unless bare_numbers."""
    text = segment.strip().strip("()（）[]").strip()
    if not text:
        return True
    if re.fullmatch(r"(?:set|pack|box|case) of \d+|\d+[- ]?(?:pack|pcs|pieces?|count|ct|piezas)", text, re.I):
        return True
    for token in text.split():
        if token.lower() in _SIZE_WORDS:
            continue
        m = _MEASURE.fullmatch(token)
        if not m or (token.isdigit() and not bare_numbers and len(text.split()) == 1):
            return False
    return True


def _has_noun(segment: str) -> bool:
    if is_cjk_text(segment):
        return len(re.findall(r"[\u3400-\u9fff]", segment)) >= 2
    return any(len(w) >= 3 and not _is_size(w) for w in re.findall(r"[^\W\d_][\w'’&-]*", segment))


def name_core(title: str) -> str:
    """The product's name as the page gives it, without a shop suffix or size/variant details:
    'Falcon Ascent Model Rocket Launch Kit' stays whole; 'Cloud Nest Calming Cat Bed, Medium'
    loses ', Medium'; '60"W x 24"D x 1-3/4" Maple Workbench Top' loses its dimensions."""
    title = re.sub(r"\s+", " ", title or "").strip()
    # a shop or marketplace name after a separator: "Name – Shop", "Name | Shop"
    parts = [p.strip() for p in re.split(r"\s+[|–—]\s+|\s+-\s+", title) if p.strip()]
    head = next((p for p in parts if _has_noun(p)), title)
    # then the name proper: up to the first comma / bracket (the rest lists variants and features)
    clauses = [c.strip() for c in re.split(r",\s*|，|（|\(|\)|）|;\s*", head) if c.strip()]
    name = next((c for c in clauses if _has_noun(c)), head)
    # what comes with it or who it is for is not its name: "... Camera with 28-70mm Zoom Lens Kit"
    cut = re.split(r"\s+(?:with|for|featuring|incl\.?|including|compatible with|con|para)\s+", name, maxsplit=1, flags=re.I)
    if len(cut) == 2 and len(cut[0].split()) >= 2 and _has_noun(cut[0]):
        name = cut[0]
    # leading and trailing size tokens ('60"W x 24"D x 1-3/4" Maple Workbench Top', '... Bottle 750 ml')
    words = name.split()
    # (a leading '3M' or '12V' may be a brand or a model: only a measurement with a quote mark, a real
    # unit or an 'x' after it goes)
    while len(words) > 1 and (words[0].lower() in ("x", "×", "by", "in", "inch", "inches", "cm", "mm") or (
            _is_size(words[0], bare_numbers=True) and any(c.isdigit() for c in words[0]) and (
                re.search(r"[\"”″]|\d\s*(?:cm|mm|in|inch|ft|oz|ml)\b", words[0], re.I)
                or words[1].lower() in ("x", "×", "by", "in", "inch", "inches", "cm", "mm", "ft", "oz", "ml")))):
        words = words[1:]
    while len(words) > 1 and _is_size(words[-1]):
        words = words[:-1]
    while len(words) > 2 and re.fullmatch(r"(?:of|x|by|with)", words[-1], re.I):
        words = words[:-1]
    # an inch mark inside the name ('Modern 60" Sideboard') is a size, not a word of it
    words = [w for w in words if not re.fullmatch(r"[\d.,/-]+\s*(?:\"|”|″|''|-?inch)", w)] or words
    name = " ".join(words)
    return re.sub(r"(?<=\w)\s*,?\s+(?:set|pack|box|case) of \d+$", "", name, flags=re.I) or name


def short_name(product: Product) -> str:
    """The name a presenter says: the page's name whole, minus a brand prefix (said elsewhere)
    and size/variant tails; never a noun of the name dropped."""
    name = name_core(product.title)
    if product.brand and name.lower().startswith(product.brand.lower() + " "):
        rest = name[len(product.brand):].strip()
        if len(rest.split()) >= 2 or (is_cjk_text(rest) and len(rest) >= 3):
            name = rest
    if is_cjk_text(name):
        # a CJK title runs its variant details on after spaces: "太空探索系列 1000片拼图 宇航员"; keep whole
        # segments up to a readable length
        kept = ""
        for segment in name.split():
            if kept and len(kept) + 1 + len(segment) > 14:
                break
            kept = f"{kept} {segment}".strip()
        return kept
    return name


def _clean_feature(text: str) -> tuple[str, str] | None:
    from pipelines.scrape.clean import clean_feature

    cleaned = clean_feature(text)
    return (cleaned.text, cleaned.label) if cleaned else None


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


def product_taxonomy(product: Product) -> str | None:
    if product.taxonomy:
        return product.taxonomy
    from pipelines.scrape.category import classify

    return classify(breadcrumbs=product.category, title=product.title, description=product.description)


def extract_facts(product: Product, blocked: list[str] | None = None) -> Facts:
    from pipelines.scrape.clean import is_boilerplate, review_author, review_text

    blocked = blocked or []
    page_language = base_language(product.language or "en")
    features = []
    for i, raw in enumerate(product.features):
        cleaned = _clean_feature(raw)
        if not cleaned or blocked_terms_in(cleaned[0], blocked):
            continue
        text, header = cleaned
        label = header if header and len(header.split()) <= 5 else _label(text)
        head = re.split(r"[:;,–—(（：，。]|\s-\s", text)[0].strip().rstrip(".!。")
        short = head if head != text.rstrip(".。!") and (is_cjk_text(head) and len(head) <= 10 or
                                                         not is_cjk_text(head) and len(head.split()) <= 5) else ""
        features.append(FeatureFact(i, text, text_language(text, page_language), label, short))
    reviews = []
    for i, review in enumerate(product.reviews):
        said = review_text(review.text, review.author)
        sentences = split_sentences(said or "")
        if not sentences or blocked_terms_in(review.text, blocked):
            continue
        text = sentences[0]
        if len(text) < 60 and len(sentences) > 1:
            text = f"{text} {sentences[1]}" if not is_cjk_text(text) else text + sentences[1]
        if len(text) > 170:
            continue
        if review.rating is not None and review.rating < 4:
            continue  # a testimonial quotes the happy customers
        reviews.append(ReviewFact(i, text, review_author(review.author), review.rating,
                                  text_language(text, page_language)))
    reviews.sort(key=lambda r: (-(r.rating or 0), abs(len(r.text) - 90)))

    taxonomy = product_taxonomy(product)
    benefits = supported_benefits(product, taxonomy) + [
        replace(GENERIC, broll=CATEGORY_BROLL.get(taxonomy or "", GENERIC.broll))]
    # a benefit whose stock lines trip the workspace's word list is not ours to use
    benefits = [b for b in benefits if b.key == "everyday" or not blocked_terms_in(" ".join(b.texts()), blocked)]

    description = [s for s in split_sentences(product.description)
                   if 20 <= len(s) <= 160 and not blocked_terms_in(s, blocked) and not is_boilerplate(s)
                   and not re.search(r"[【】\[\]]", s)]
    return Facts(product=product, name=short_name(product), brand=product.brand, features=features,
                 reviews=reviews, benefits=benefits, description_sentences=description[:6],
                 description_language=text_language(product.description or product.title, page_language),
                 taxonomy=taxonomy)
