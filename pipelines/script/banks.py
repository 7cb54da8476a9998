"""The copywriter's phrase banks: hooks per framework and tone, calls to action, connective
lines, in English, Chinese and Spanish. Placeholders are filled from the product's facts only; nothing
here states a number, a price or a superlative on its own.

A hook entry is (tones, text): tones is a set of tones it suits, or None for any tone.
"""

from __future__ import annotations

TONES = ("friendly", "energetic", "premium", "playful", "professional")

HOOKS: dict[str, dict[str, list[tuple[set[str] | None, str]]]] = {
    "en": {
        "pas": [
            (None, "{pain}"),
            ({"friendly", "playful"}, "Quick question. {pain}"),
            ({"energetic", "playful"}, "Real talk: {pain}"),
            ({"friendly", "energetic"}, "If this is you, keep watching. {pain}"),
            ({"premium", "professional"}, "Let's be honest. {pain}"),
            ({"playful"}, "Raise your hand if this is you. {pain}"),
            ({"professional", "premium"}, "Here's a problem nobody talks about. {pain}"),
        ],
        "aida": [
            (None, "Okay, you need to see {thing}."),
            ({"energetic", "playful"}, "Stop scrolling. You need to see {thing}."),
            ({"friendly", "playful"}, "Say hello to your new favourite thing: {name}."),
            ({"premium"}, "Some things are simply made better. Like {name}."),
            ({"professional", "premium"}, "Here's what makes {name} different."),
            ({"friendly", "professional"}, "If you haven't met {name} yet, this is your moment."),
            ({"energetic"}, "This is {name}, and you'll want a closer look."),
        ],
        "ugc": [
            (None, "Okay, I did not expect to like {thing} this much."),
            ({"friendly", "playful"}, "I was so skeptical about {thing}. I was wrong."),
            ({"friendly", "professional"}, "Here's my honest take on {name}."),
            ({"playful", "energetic"}, "I need to talk about {name} for a second."),
            ({"premium", "friendly"}, "Let me tell you why I love {thing}."),
            ({"energetic"}, "You guys. {name}. We need to talk."),
            ({"professional"}, "I took a close look at {name}. Here's what I think."),
        ],
        "listicle": [
            (None, "{n} reasons {name} {is_} worth it."),
            ({"friendly", "playful"}, "{n} things I love about {name}."),
            ({"energetic", "playful"}, "Why {name}? I'll give you {n} reasons."),
            ({"professional", "premium"}, "{n} reasons to choose {name}."),
            ({"friendly", "energetic"}, "Thinking about {name}? Here are {n} reasons to go for it."),
            ({"premium"}, "{n} details that set {name} apart."),
        ],
        "offer": [
            (None, "Heads up: {name} {is_} on sale right now."),
            ({"energetic", "playful"}, "Stop scrolling! {name} just dropped to {price}."),
            ({"friendly", "professional"}, "Save {pct}% on {name} while the sale lasts."),
            ({"playful", "friendly"}, "This is your sign to finally get {name}. The sale is on."),
            ({"premium"}, "A rare chance: {name}, now {price}."),
            ({"energetic"}, "Sale alert! {name}, {pct}% off."),
        ],
        "demo": [
            (None, "Let me show you {thing} up close."),
            ({"friendly", "playful"}, "Unboxing {name} so you don't have to guess."),
            ({"premium", "professional"}, "Here's {name}, up close."),
            ({"energetic", "playful"}, "Watch this. {Thing}, up close."),
            ({"professional", "friendly"}, "Curious about {name}? Let me show you."),
            ({"premium"}, "Take a closer look at {name}."),
        ],
    },
    "zh": {
        "pas": [
            (None, "{pain}"),
            ({"friendly", "playful"}, "问你个问题：{pain}"),
            ({"energetic", "playful"}, "说真的，{pain}"),
            ({"friendly", "energetic"}, "如果你也这样，一定要看完。{pain}"),
            ({"premium", "professional"}, "坦白说，{pain}"),
            ({"playful"}, "中招的举个手！{pain}"),
            ({"professional", "premium"}, "有个问题很多人都忽略了：{pain}"),
        ],
        "aida": [
            (None, "这个{name}，你一定要看看。"),
            ({"energetic", "playful"}, "先别划走！{name}你一定要看看。"),
            ({"friendly", "playful"}, "给你介绍一个新宝贝：{name}。"),
            ({"premium"}, "有些东西，就是做得更用心，比如{name}。"),
            ({"professional", "premium"}, "{name}到底哪里不一样？看完你就知道。"),
            ({"friendly", "professional"}, "还没见过{name}？现在认识也不晚。"),
            ({"energetic"}, "这就是{name}，你的日常要升级了。"),
        ],
        "ugc": [
            (None, "说真的，我没想到会这么喜欢{name}。"),
            ({"friendly", "playful"}, "本来不抱希望，结果{name}真香了。"),
            ({"friendly", "professional"}, "聊聊我对{name}的真实感受。"),
            ({"playful", "energetic"}, "姐妹们，{name}我必须分享一下！"),
            ({"premium", "friendly"}, "为什么我总是忍不住用{name}？听我说。"),
            ({"energetic"}, "家人们，{name}我真的要夸一夸！"),
            ({"professional"}, "{name}我认真用过了，说说我的看法。"),
        ],
        "listicle": [
            (None, "入手{name}的{n}个理由。"),
            ({"friendly", "playful"}, "我喜欢{name}的{n}个理由。"),
            ({"energetic", "playful"}, "为什么选{name}？给你{n}个理由！"),
            ({"professional", "premium"}, "选择{name}的{n}个理由。"),
            ({"friendly", "energetic"}, "还在犹豫{name}？看完这{n}个理由再说。"),
            ({"premium"}, "{name}的{n}个用心细节。"),
        ],
        "offer": [
            (None, "注意啦，{name}正在打折！"),
            ({"energetic", "playful"}, "先别划走！{name}现在只要{price}。"),
            ({"friendly", "professional"}, "{name}立减{pct}%，趁活动赶紧看看。"),
            ({"playful", "friendly"}, "想入手{name}的，机会来了，现在有优惠！"),
            ({"premium"}, "难得的机会：{name}，现价{price}。"),
            ({"energetic"}, "优惠提醒！{name}直降{pct}%！"),
        ],
        "demo": [
            (None, "带你看看{name}到底能做什么。"),
            ({"friendly", "playful"}, "开箱{name}，带你看看真实的样子。"),
            ({"premium", "professional"}, "近距离看看{name}。"),
            ({"energetic", "playful"}, "看好了！{name}实际上手。"),
            ({"professional", "friendly"}, "好奇{name}怎么用？我来演示一下。"),
            ({"premium"}, "细看{name}的每一处细节。"),
        ],
    },
    # Spanish: the name stands after a colon or alone, so no article or adjective has to agree
    # with the product noun's gender and number (which a template cannot know)
    "es": {
        "pas": [
            (None, "{pain}"),
            ({"friendly", "playful"}, "Una pregunta rápida. {pain}"),
            ({"energetic", "playful"}, "Hablemos claro: {pain}"),
            ({"friendly", "energetic"}, "Si te pasa esto, sigue mirando. {pain}"),
            ({"premium", "professional"}, "Seamos sinceros. {pain}"),
            ({"playful"}, "Que levante la mano a quien le pase. {pain}"),
            ({"professional", "premium"}, "Un problema del que nadie habla. {pain}"),
        ],
        "aida": [
            (None, "Tienes que ver esto: {name}."),
            ({"energetic", "playful"}, "¡Para de deslizar! Tienes que ver esto: {name}."),
            ({"friendly", "playful"}, "Tu nuevo capricho favorito: {name}."),
            ({"premium"}, "Hay cosas que, sencillamente, están mejor hechas. Por ejemplo: {name}."),
            ({"professional", "premium"}, "Lo que marca la diferencia: {name}."),
            ({"friendly", "professional"}, "Atención, que esto te va a gustar: {name}."),
            ({"energetic"}, "Mira bien esto: {name}."),
        ],
        "ugc": [
            (None, "Vale, no esperaba que esto me gustara tanto: {name}."),
            ({"friendly", "playful"}, "Tenía mis dudas, y me equivoqué. Hablo de esto: {name}."),
            ({"friendly", "professional"}, "Mi opinión sincera sobre esto: {name}."),
            ({"playful", "energetic"}, "Tengo que contarte algo: {name}."),
            ({"premium", "friendly"}, "Te cuento por qué me encanta esto: {name}."),
            ({"energetic"}, "Atención: {name}. Tenemos que hablar."),
            ({"professional"}, "Mi análisis a fondo: {name}. Esto es lo que pienso."),
        ],
        "listicle": [
            (None, "{n} razones para fijarte en esto: {name}."),
            ({"friendly", "playful"}, "{n} cosas que me encantan de esto: {name}."),
            ({"energetic", "playful"}, "¿Por qué esto? Te doy {n} razones: {name}."),
            ({"professional", "premium"}, "{name}, en {n} razones."),
            ({"friendly", "energetic"}, "¿Te lo estás pensando? Aquí tienes {n} razones: {name}."),
            ({"premium"}, "{n} detalles que marcan la diferencia: {name}."),
        ],
        "offer": [
            (None, "Atención: {name}, ahora en oferta."),
            ({"energetic", "playful"}, "¡Para de deslizar! {name}, ahora por solo {price}."),
            ({"friendly", "professional"}, "{name}: un {pct} % menos mientras dure la oferta."),
            ({"playful", "friendly"}, "Esta es la señal que esperabas: {name}, en oferta."),
            ({"premium"}, "Una ocasión especial: {name}, ahora a {price}."),
            ({"energetic"}, "¡Alerta de oferta! {name}, con un {pct} % de descuento."),
        ],
        "demo": [
            (None, "Mira esto de cerca: {name}."),
            ({"friendly", "playful"}, "Abrimos la caja: {name}, para que veas cómo es de verdad."),
            ({"premium", "professional"}, "De cerca: {name}."),
            ({"energetic", "playful"}, "¡Mira esto! {name}, de cerca."),
            ({"professional", "friendly"}, "¿Tienes curiosidad? Te lo enseño: {name}."),
            ({"premium"}, "Echa un vistazo de cerca: {name}."),
        ],
    },
}

# When the ad is very short (6-10 s) every scene says its point in a few words.
SHORT_HOOKS = {
    "en": {"pas": ["{pain}"], "aida": ["Meet {name}.", "Say hi to {name}."],
           "ugc": ["Okay, {name} won me over.", "I'm obsessed with {name}."],
           "listicle": ["{n} reasons to love {name}.", "{n} things I love about {name}."],
           "offer": ["{name} {is_} on sale!", "Sale alert: {name}!"], "demo": ["Look at {name}.", "{name}, up close."]},
    "zh": {"pas": ["{pain}"], "aida": ["认识一下{name}。", "这就是{name}。"], "ugc": ["{name}真的圈粉了。", "我爱上{name}了。"],
           "listicle": ["爱上{name}的{n}个理由。", "选{name}的{n}个理由。"], "offer": ["{name}打折啦！", "优惠提醒：{name}！"],
           "demo": ["看看{name}。", "近看{name}。"]},
    "es": {"pas": ["{pain}"], "aida": ["Te presento: {name}.", "Mira: {name}."],
           "ugc": ["Flechazo total: {name}.", "Mi nuevo capricho: {name}."],
           "listicle": ["{n} razones: {name}.", "{name}, en {n} razones."],
           "offer": ["¡{name}, en oferta!", "Alerta de oferta: {name}."],
           "demo": ["Mira: {name}.", "De cerca: {name}."]},
}
SHORT_CTAS = {"en": ["Tap the link.", "Shop now.", "Grab yours."], "zh": ["点链接下单。", "马上拥有。", "赶紧下单。"],
              "es": ["Toca el enlace.", "Compra ahora.", "Entra en el enlace."]}

# Claim-free lines about the product in general, for longer ads; {name} is filled in. Each is
# true of any product (nothing about carrying it, using it daily or setting it up): a line a
# product's facts do not back has no place in its ad.
MORE = {
    "en": [
        "Picture {name} at your place.", "It's the kind of thing you'll end up telling your friends about.",
        "The appeal is easy to see.",
        "Every detail feels like someone actually thought about it.", "No gimmicks. Just take a look.",
        "Take a good look, because the details are worth it.",
    ],
    "zh": [
        "想象一下，{name}在你家的样子。", "用过之后，你一定会忍不住推荐给朋友。", 
        "喜欢它的理由，一看就懂。", "每一个细节，都看得出是用心想过的。", "没有花哨的噱头，就是踏踏实实的好东西。",
        "仔细看看，细节都值得。",
    ],
    "es": [
        "Cada detalle parece pensado con cuidado.", "Sin trucos: solo mira los detalles.",
        "Fíjate bien, porque los detalles merecen la pena.", "Es de esas compras que acabas recomendando a tus amigos.",
        "Lo bueno se nota enseguida.",
    ],
}

CTAS = {
    "en": {
        "friendly": ["Tap the link and grab yours.", "Grab yours today. The link is right there."],
        "energetic": ["Tap the link and get yours now!", "Don't wait. Hit the link and grab it!"],
        "premium": ["Discover it today at the link.", "Make it yours. The link is below."],
        "playful": ["Go on, treat yourself. The link is right there.", "You know you want it. Tap the link."],
        "professional": ["Order yours today through the link.", "Get yours today. The link is below."],
    },
    "zh": {
        "friendly": ["点击链接，把它带回家吧。", "喜欢就点链接，马上拥有。"],
        "energetic": ["赶紧点链接，马上下单！", "别犹豫了，点链接冲！"],
        "premium": ["点击链接，开启你的专属体验。", "现在就点链接，把它带回家。"],
        "playful": ["对自己好一点，点链接吧！", "心动不如行动，链接在这里！"],
        "professional": ["点击链接，立即下单。", "现在就通过链接购买。"],
    },
    "es": {
        "friendly": ["Toca el enlace y echa un vistazo.", "Tienes el enlace aquí mismo. Pásate hoy."],
        "energetic": ["¡Toca el enlace y pide ya!", "¡No esperes más! Entra en el enlace."],
        "premium": ["Descubre más en el enlace.", "Date un capricho. El enlace está abajo."],
        "playful": ["Venga, date un capricho. El enlace está aquí.", "Sabes que te apetece. Toca el enlace."],
        "professional": ["Haz tu pedido hoy a través del enlace.", "Pide hoy mismo. El enlace está abajo."],
    },
}

CTA_OVERLAY = {"en": ["Shop now", "Tap to shop", "Get yours", "Link below"],
               "zh": ["立即购买", "点击下单", "马上拥有", "链接在这"],
               "es": ["Compra ahora", "Toca para comprar", "Pide ya", "Enlace abajo"]}

# Claim-free lines a writer uses to land a point or set the pace; the length fitter draws on them.
PADS = {
    "en": [
        "Seriously.", "Trust me.", "Honestly, it shows.", "No fuss, no fluff.", "It just makes sense.",
        "That's the whole point.", "Simple as that.", "Easy choice, really.", "It's the little details that make it.",
        "Take another look.", "See for yourself.", "Worth a closer look.", "You'll see what I mean.",
        "Honestly, that's it.", "Say no more.", "I mean it.", "Really, look at it.", "Details matter.",
    ],
    "zh": [
        "真的。", "细节见真章。", "不花哨，很实在。", "这才是该有的样子。", "好东西，不用多说。", "懂的人都懂。",
        "简单，就是这么简单。", "你自己看看就知道。", "值得多看一眼。", "细节说明一切。", "说到做到，很靠谱。",
        "看了就明白。",
    ],
    "es": [
        "En serio.", "Créeme.", "Y se nota.", "Sin complicaciones.", "Tiene todo el sentido.", "De eso se trata.",
        "Así de simple.", "Fácil elección, la verdad.", "Los pequeños detalles marcan la diferencia.", "Mira otra vez.",
        "Velo con tus propios ojos.", "Merece una segunda mirada.", "Ya verás a qué me refiero.",
        "No hace falta decir más.", "Lo digo en serio.", "Los detalles importan.",
    ],
}

UGC_STORY = {
    "en": ["I've tried a bunch of options, and nothing really stuck.",
           "I kept putting up with it, because I figured that's just how it is.",
           "I'd honestly given up on finding one I liked."],
    "zh": ["之前试过好多款，一直没找到满意的。", "我一直将就着用，以为只能这样了。", "说实话，我本来已经放弃找到合适的了。"],
    "es": ["He probado un montón de opciones y ninguna me convencía.",
           "Me iba apañando, porque pensaba que no había otra cosa.",
           "Sinceramente, ya había dejado de buscar."],
}

URGENCY = {
    "en": ["Sale prices don't stick around, so don't sleep on this one.",
           "If you've had your eye on it, now's the time."],
    "zh": ["优惠价不会一直有，想要就趁现在。", "一直在观望的，现在正是时候。"],
    "es": ["Los precios de oferta no duran para siempre, así que no lo dejes pasar.",
           "Si lo estabas esperando, ahora es el momento."],
}

ORDINALS = {
    "en": ["First,", "Second,", "Third,", "Fourth,", "Fifth,", "Sixth,", "Seventh,"],
    "zh": ["第一，", "第二，", "第三，", "第四，", "第五，", "第六，", "第七，"],
    "es": ["Primero,", "Segundo,", "Tercero,", "Cuarto,", "Quinto,", "Sexto,", "Séptimo,"],
}
ORDINAL_LAST = {"en": "And finally,", "zh": "最后，", "es": "Y por último,"}

EMOJI = {"friendly": "👉", "energetic": "🔥", "premium": "✨", "playful": "😍", "professional": "✅"}

FRAMEWORK_TAGS = {
    "en": {"ugc": ["#honestreview"], "offer": ["#sale"], "demo": ["#unboxing"]},
    "zh": {"ugc": ["#真实测评"], "offer": ["#优惠"], "demo": ["#开箱"]},
    "es": {"ugc": ["#opiniónsincera"], "offer": ["#oferta"], "demo": ["#unboxing"]},
}

# Hashtags by taxonomy key (pipelines.scrape.category); only where the category is known.
CATEGORY_TAGS = {
    "en": {"pets": ["#petsofinstagram", "#petlovers"], "food_drink": ["#foodie"], "beauty": ["#beauty"],
           "apparel": ["#style"], "home": ["#homedecor"], "furniture": ["#homedecor", "#furniture"],
           "toys_hobbies": ["#hobby"], "electronics": ["#tech"], "sports_outdoors": ["#outdoors"],
           "tools": ["#diy", "#tools"], "baby": ["#babymusthaves"]},
    "zh": {"pets": ["#萌宠"], "food_drink": ["#美食"], "beauty": ["#美妆"], "apparel": ["#穿搭"], "home": ["#家居好物"],
           "furniture": ["#家居"], "toys_hobbies": ["#兴趣爱好"], "electronics": ["#数码"], "sports_outdoors": ["#户外"],
           "tools": ["#工具"], "baby": ["#母婴"]},
    "es": {"pets": ["#mascotas"], "food_drink": ["#gastronomía"], "beauty": ["#belleza"], "apparel": ["#moda"],
           "home": ["#hogar", "#decoración"], "furniture": ["#decoración", "#muebles"], "toys_hobbies": ["#hobbies"],
           "electronics": ["#tecnología"], "sports_outdoors": ["#airelibre"], "tools": ["#bricolaje"],
           "baby": ["#bebés"]},
}

# Discovery hooks by taxonomy key: who the product is for, said the way that kind of shop talks.
# Each names the product; none assumes a problem. Tried before the framework's own hooks.
CATEGORY_HOOKS = {
    "en": {"pets": ["Pet parents, meet {name}."], "food_drink": ["Food lovers, this one's for you: {name}."],
           "beauty": ["Add this to your shelf: {name}."], "apparel": ["Your next favourite piece: {name}."],
           "home": ["A little something for your home: {name}."], "furniture": ["Make room for {name}."],
           "toys_hobbies": ["Your next weekend project? Meet {name}."], "electronics": ["Tech check: {name}."],
           "sports_outdoors": ["Gear check: {name}."], "tools": ["For the workshop: {name}."],
           "baby": ["New parents, meet {name}."]},
    "zh": {"pets": ["铲屎官们，认识一下{name}。"], "food_drink": ["吃货们看过来：{name}。"], "beauty": ["梳妆台新成员：{name}。"],
           "apparel": ["衣橱新宠：{name}。"], "home": ["给家添点好物：{name}。"], "furniture": ["给家腾个位置：{name}。"],
           "toys_hobbies": ["周末玩点什么？{name}。"], "electronics": ["数码好物：{name}。"], "sports_outdoors": ["装备看过来：{name}。"],
           "tools": ["工具控看过来：{name}。"], "baby": ["新手爸妈看过来：{name}。"]},
    "es": {"pets": ["Para los amantes de las mascotas: {name}."],
           "food_drink": ["Para los amantes de la buena mesa: {name}."],
           "beauty": ["Un nuevo básico para tu rutina: {name}."], "apparel": ["Tu próxima pieza favorita: {name}."],
           "home": ["Un detalle para tu casa: {name}."], "furniture": ["Haz sitio en casa para esto: {name}."],
           "toys_hobbies": ["¿Plan para el fin de semana? Aquí lo tienes: {name}."],
           "electronics": ["Para los amantes de la tecnología: {name}."],
           "sports_outdoors": ["Para tus aventuras al aire libre: {name}."], "tools": ["Para tu taller: {name}."],
           "baby": ["Para mamás y papás primerizos: {name}."]},
}

# The writer's own sentences and overlays, per language: {placeholders} are the product's facts
# (prices, rating, counts as the language writes them) or the spoken name.
PHRASES = {
    "en": {
        "price_sale": "It's normally {list}, but right now it's {price}.", "price_sale_short": "Now just {price}.",
        "price": ["And it's just {price}.", "All that, for {price}."], "price_short": "Just {price}.",
        "savings": "That's {pct}% off, so you keep {savings}.",
        "rating_count": "It's rated {value} out of {best} stars from {ratings}.",
        "rating": "It's rated {value} out of {best} stars.", "rating_short": "Rated {value} stars.",
        "rating_overlay_count": "★ {value} · {count} ratings", "rating_overlay": "★ {value} stars",
        "price_overlay_sale": "Now {price}", "price_overlay": "Just {price}",
        "review_me_who": "And it's not just me. {who} wrote:", "review_me": "And it's not just me. One reviewer wrote:",
        "review_who": "As {who} put it:", "review": "As one customer put it:",
        "name_short": "Meet {name}.", "name_intro": "Meet {name}.", "name_intro_brand": "Meet {name}, from {brand}.",
        "listicle_overlay": "{n} reasons to love it", "ugc_overlay": "My honest review", "offer_overlay": "Sale alert",
        "agitate_overlay": "Sound familiar?", "story_overlay": "My honest take", "found": "Then I found {name}.",
        "ugc_leads": ["My favourite part?", "Also,", "Plus,", "And"], "proof_overlay": "Not just me",
        "urgency_overlay": "While the sale lasts", "demo_first": "First look: here {is_} {name}.",
        "demo_overlay": "First look",
        "demo_leads": ["Check this out.", "Now look at this.", "And here's a detail I like.", "Plus,"],
        "caption_sale": "Now {price} (was {list}).", "caption_price": "Just {price}.",
    },
    "zh": {
        "price_sale": "原价{list}，现在只要{price}。", "price_sale_short": "现在只要{price}。",
        "price": ["到手价只要{price}。", "只要{price}，就能带回家。"], "price_short": "只要{price}。",
        "savings": "直接省下{savings}，相当于便宜了{pct}%。",
        "rating_count": "{count}条评价，平均{value}分，满分{best}分。",
        "rating": "买家评分{value}分，满分{best}分。", "rating_short": "评分{value}分。",
        "rating_overlay_count": "★{value}分 · {count}条评价", "rating_overlay": "★{value}分",
        "price_overlay_sale": "现价{price}", "price_overlay": "仅需{price}",
        "review_me_who": "不只是我这么觉得，有位买家说：", "review_me": "不只是我这么觉得，有位买家说：",
        "review_who": "有位买家是这么说的：", "review": "有位买家是这么说的：",
        "name_short": "认识一下{name}。", "name_intro": "来认识一下{name}。", "name_intro_brand": "来认识一下{brand}的{name}。",
        "listicle_overlay": "{n}个理由", "ugc_overlay": "真实测评", "offer_overlay": "限时优惠",
        "agitate_overlay": "是不是很熟悉？", "story_overlay": "真实感受", "found": "后来我发现了{name}。",
        "ugc_leads": ["我特别喜欢的一点：", "还有，", "另外，", "而且，"], "proof_overlay": "不只是我",
        "urgency_overlay": "限时优惠", "demo_first": "先来看看{name}。", "demo_overlay": "开箱",
        "demo_leads": ["看这里，", "再看这个细节，", "还有，", "另外，"],
        "caption_sale": "现价{price}（原价{list}）。", "caption_price": "仅需{price}。",
    },
    "es": {
        "price_sale": "Precio habitual: {list}. Ahora, solo {price}.", "price_sale_short": "Ahora, solo {price}.",
        "price": ["Y todo por {price}.", "Todo esto por solo {price}."], "price_short": "Solo {price}.",
        "savings": "Un {pct} % de descuento: te ahorras {savings}.",
        "rating_count": "{count} valoraciones, con una media de {value} sobre {best} estrellas.",
        "rating": "Valoración: {value} sobre {best} estrellas.", "rating_short": "Valoración: {value} estrellas.",
        "rating_overlay_count": "★ {value} · {count} valoraciones", "rating_overlay": "★ {value} estrellas",
        "price_overlay_sale": "Ahora {price}", "price_overlay": "Solo {price}",
        "review_me_who": "Y no lo digo solo yo. {who} escribió:", "review_me": "Y no lo digo solo yo. Una reseña dice:",
        "review_who": "Como dice {who}:", "review": "Como dice una reseña:",
        "name_short": "Te presento: {name}.", "name_intro": "Te presento: {name}.",
        "name_intro_brand": "Te presento: {name}, de {brand}.",
        "listicle_overlay": "{n} razones", "ugc_overlay": "Mi opinión sincera", "offer_overlay": "¡Oferta!",
        "agitate_overlay": "¿Te suena?", "story_overlay": "Mi experiencia real",
        "found": "Hasta que encontré esto: {name}.",
        "ugc_leads": ["¿Lo que más me gusta?", "Además,", "Y encima,", "Y"], "proof_overlay": "No lo digo solo yo",
        "urgency_overlay": "Mientras dure la oferta", "demo_first": "Primer vistazo: {name}.",
        "demo_overlay": "Primer vistazo",
        "demo_leads": ["Mira esto.", "Ahora fíjate en esto.", "Y un detalle que me encanta.", "Además,"],
        "caption_sale": "Ahora {price} (antes {list}).", "caption_price": "Solo {price}.",
    },
}
