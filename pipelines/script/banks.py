"""The copywriter's phrase banks: hooks per framework and tone, calls to action, connective
lines, in English and Chinese. Placeholders are filled from the product's facts only; nothing
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
            ({"energetic"}, "This is {name}, and it's about to change your routine."),
        ],
        "ugc": [
            (None, "Okay, I did not expect to like {thing} this much."),
            ({"friendly", "playful"}, "I was so skeptical about {thing}. I was wrong."),
            ({"friendly", "professional"}, "Here's my honest take on {name}."),
            ({"playful", "energetic"}, "I need to talk about {name} for a second."),
            ({"premium", "friendly"}, "Let me tell you why I keep reaching for {thing}."),
            ({"energetic"}, "You guys. {name}. We need to talk."),
            ({"professional"}, "I've put {name} through its paces. Here's what I think."),
        ],
        "listicle": [
            (None, "{n} reasons {thing} is worth it."),
            ({"friendly", "playful"}, "{n} things I love about {thing}."),
            ({"energetic", "playful"}, "Why {name}? I'll give you {n} reasons."),
            ({"professional", "premium"}, "{n} reasons to choose {name}."),
            ({"friendly", "energetic"}, "Thinking about {name}? Here are {n} reasons to go for it."),
            ({"premium"}, "{n} details that set {name} apart."),
        ],
        "offer": [
            (None, "Heads up: {name} is on sale right now."),
            ({"energetic", "playful"}, "Stop scrolling! {name} just dropped to {price}."),
            ({"friendly", "professional"}, "Save {pct}% on {name} while the sale lasts."),
            ({"playful", "friendly"}, "This is your sign to finally get {name}. It's on sale."),
            ({"premium"}, "A rare chance: {name}, now {price}."),
            ({"energetic"}, "Sale alert! {name}, {pct}% off."),
        ],
        "demo": [
            (None, "Let me show you what {thing} can do."),
            ({"friendly", "playful"}, "Unboxing {name} so you don't have to guess."),
            ({"premium", "professional"}, "Here's {name}, up close."),
            ({"energetic", "playful"}, "Watch this. {Thing} in action."),
            ({"professional", "friendly"}, "Curious how {name} works? Let me show you."),
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
            (None, "说真的，我没想到{name}这么好用。"),
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
}

# When the ad is very short (6-10 s) every scene says its point in a few words.
SHORT_HOOKS = {
    "en": {"pas": ["{pain}"], "aida": ["Meet {name}.", "Say hi to {name}."],
           "ugc": ["Okay, {name} won me over.", "I'm obsessed with {name}."],
           "listicle": ["{n} reasons to love {name}.", "{n} things I love about {name}."],
           "offer": ["{name} is on sale!", "Sale alert: {name}!"], "demo": ["Look at {name}.", "{name}, up close."]},
    "zh": {"pas": ["{pain}"], "aida": ["认识一下{name}。", "这就是{name}。"], "ugc": ["{name}真的圈粉了。", "我爱上{name}了。"],
           "listicle": ["爱上{name}的{n}个理由。", "选{name}的{n}个理由。"], "offer": ["{name}打折啦！", "优惠提醒：{name}！"],
           "demo": ["看看{name}。", "近看{name}。"]},
}
SHORT_CTAS = {"en": ["Tap the link.", "Shop now.", "Grab yours."], "zh": ["点链接下单。", "马上拥有。", "赶紧下单。"]}

# Claim-free lines about the product in general, for longer ads; {name} is filled in.
MORE = {
    "en": [
        "Picture your day with {name} in it.", "Whether you're at home or on the go, it keeps up.",
        "It's the kind of thing you'll end up telling your friends about.",
        "Think of it as a small upgrade you'll notice every single day.",
        "Got someone who'd love this? It makes an easy gift.", "You'll wonder why you waited so long.",
        "It's thoughtfully made, and you can tell the moment you pick it up.",
        "No gimmicks, just something that does its job well.",
        "It's designed around how people actually live.", "Set it up once, and it's part of your routine.",
        "Every detail feels like someone actually thought about it.", "It's easy to see the appeal.",
    ],
    "zh": [
        "想象一下，有{name}陪伴的每一天。", "不管在家还是出门，{name}都能跟上你的节奏。", "用过之后，你一定会忍不住推荐给朋友。",
        "把它当成一个每天都能感受到的小升级。", "身边有人需要吗？{name}也很适合送人。", "你会后悔没有早点入手。",
        "做工很用心，一拿到手就能感觉到。", "没有花哨的噱头，就是踏踏实实把事情做好。", "它的设计，真正考虑到了日常生活。",
        "用一次就会变成你的日常习惯。", "每一个细节，都看得出是用心想过的。", "喜欢它的理由，一用就懂。",
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
}

CTA_OVERLAY = {"en": ["Shop now", "Tap to shop", "Get yours", "Link below"],
               "zh": ["立即购买", "点击下单", "马上拥有", "链接在这"]}

# Claim-free lines a writer uses to land a point or set the pace; the length fitter draws on them.
PADS = {
    "en": [
        "Seriously.", "Trust me.", "Honestly, it shows.", "You'll notice right away.", "No fuss, no fluff.",
        "It just makes sense.", "Small thing, big difference.", "That's the whole point.",
        "And yes, it really is that simple.", "Once you try it, it's hard to go back.",
        "It's the kind of upgrade you feel every day.", "It fits right into your routine.",
        "You don't have to change a thing about your day.", "It's one of those things you wonder how you lived without.",
        "And it looks good doing it.", "Simple as that.", "Think about how often you'd use it.",
        "It's the little details that make it.", "It does exactly what it says.", "Easy choice, really.",
    ],
    "zh": [
        "真的。", "用过就知道。", "细节见真章。", "这种感觉，用了才懂。", "每天都用得上。", "小改变，大不同。",
        "不花哨，很实在。", "一用就回不去了。", "这才是该有的样子。", "省心又省力。", "放在家里也好看。",
        "完全不用改变你的习惯。", "想想你每天会用多少次。", "说到做到，很靠谱。", "简单，就是这么简单。",
        "用起来特别顺手。", "这钱花得值。", "懂的人都懂。", "一点都不复杂。", "好东西，不用多说。",
    ],
}

UGC_STORY = {
    "en": ["I've tried a bunch of options, and nothing really stuck.",
           "I kept putting up with it, because I figured that's just how it is.",
           "I'd honestly given up on finding one I liked."],
    "zh": ["之前试过好多款，一直没找到满意的。", "我一直将就着用，以为只能这样了。", "说实话，我本来已经放弃找到合适的了。"],
}

URGENCY = {
    "en": ["Sale prices don't stick around, so don't sleep on this one.",
           "If you've had your eye on it, now's the time."],
    "zh": ["优惠价不会一直有，想要就趁现在。", "一直在观望的，现在正是时候。"],
}

ORDINALS = {
    "en": ["First,", "Second,", "Third,", "Fourth,", "Fifth,", "Sixth,", "Seventh,"],
    "zh": ["第一，", "第二，", "第三，", "第四，", "第五，", "第六，", "第七，"],
}
ORDINAL_LAST = {"en": "And finally,", "zh": "最后，"}

EMOJI = {"friendly": "👉", "energetic": "🔥", "premium": "✨", "playful": "😍", "professional": "✅"}

FRAMEWORK_TAGS = {
    "en": {"pas": ["#lifehack"], "aida": ["#musthave"], "ugc": ["#honestreview", "#tiktokmademebuyit"],
           "listicle": ["#musthave"], "offer": ["#sale", "#deal"], "demo": ["#unboxing"]},
    "zh": {"pas": ["#生活好物"], "aida": ["#好物推荐"], "ugc": ["#真实测评", "#种草"], "listicle": ["#好物推荐"],
           "offer": ["#优惠", "#好价"], "demo": ["#开箱"]},
}
