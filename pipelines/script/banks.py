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
}
SHORT_CTAS = {"en": ["Tap the link.", "Shop now.", "Grab yours."], "zh": ["点链接下单。", "马上拥有。", "赶紧下单。"]}

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
    "en": {"ugc": ["#honestreview"], "offer": ["#sale"], "demo": ["#unboxing"]},
    "zh": {"ugc": ["#真实测评"], "offer": ["#优惠"], "demo": ["#开箱"]},
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
}
