"""Visemes: the mouth shapes a presenter needs, and which phonemes make them.

Phonemes arrive either as espeak-ng mnemonics (the `espeak` engine: "aI", "T", "tS", "s.",
"_:") or as IPA characters (the `piper` engine: "aɪ", "θ", "ʃ"). Both map onto one small set
of visemes, which the avatar stage turns into mouth shapes; `VISEME_OPENNESS` says how far the
jaw is open for each (0 closed .. 1 wide open), for engines that only warp an opening.
"""

from __future__ import annotations

VISEMES: tuple[str, ...] = (
    "rest",  # silence, pauses: lips relaxed and closed
    "aa",  # open vowels: a, ɑ, æ, ʌ, aɪ, aʊ
    "ee",  # spread vowels: i, ɪ, e, ɛ, eɪ, j
    "oo",  # rounded vowels and w: u, ʊ, o, ɔ, oʊ, y
    "er",  # neutral mid vowels: ə, ɜ, ɚ
    "mbp",  # lips pressed: m, b, p
    "fv",  # lower lip to teeth: f, v
    "th",  # tongue between teeth: θ, ð
    "l",  # tongue tip up, mouth slightly open: l, n, t, d
    "s",  # teeth together: s, z, ʃ, ʒ, tʃ, dʒ (and the Mandarin retroflexes / palatals)
    "k",  # back of tongue: k, g, ŋ, h, x
    "r",  # lips slightly rounded: r, ɹ, ɾ
)

VISEME_OPENNESS: dict[str, float] = {
    "rest": 0.0,
    "aa": 1.0,
    "ee": 0.45,
    "oo": 0.5,
    "er": 0.55,
    "mbp": 0.0,
    "fv": 0.12,
    "th": 0.25,
    "l": 0.35,
    "s": 0.18,
    "k": 0.4,
    "r": 0.3,
}

# espeak-ng mnemonics, matched on the longest prefix once stress/length marks are stripped.
# (Covers the English, Mandarin-pinyin and most European phoneme tables; anything unknown
# falls back by its first letter below.)
_ESPEAK: dict[str, str] = {
    # vowels
    "a": "aa", "A": "aa", "&": "aa", "V": "aa", "aI": "aa", "aU": "aa", "Au": "aa", "ai": "aa",
    "0": "oo", "O": "oo", "o": "oo", "oU": "oo", "OI": "oo", "o@": "oo", "o-": "er", "u": "oo",
    "U": "oo", "w": "oo", "y": "oo", "Y": "oo", "W": "oo",
    "i": "ee", "I": "ee", "e": "ee", "E": "ee", "eI": "ee", "j": "ee", "iE": "ee", "i.": "s",
    "@": "er", "3": "er", "3:": "er", "@L": "l", "a#": "aa", "I#": "ee", "I2": "ee", "E2": "ee",
    # consonants
    "m": "mbp", "b": "mbp", "p": "mbp", "ph": "mbp",
    "f": "fv", "v": "fv",
    "T": "th", "D": "th",
    "l": "l", "n": "l", "t": "l", "d": "l", "th": "l", "N": "k", "n^": "l", "t2": "l", "d#": "l",
    "s": "s", "z": "s", "S": "s", "Z": "s", "tS": "s", "dZ": "s", "tS;": "s", "ts": "s", "ts.": "s",
    "ts.h": "s", "s.": "s", "z.": "s", "ts;": "s", "tsh": "s", "C": "s", "c": "s",
    "k": "k", "g": "k", "kh": "k", "h": "k", "x": "k", "X": "k", "Q": "k", "?": "k",
    "r": "r", "R": "r", "r-": "r", "*": "r", "R2": "r",
    # IPA affricates (piper, hibari), which the first-letter fallback would read as "l"
    "tʃ": "s", "dʒ": "s", "dz": "s",
}

# IPA characters (piper voices phonemize with espeak-ng's IPA output)
_IPA: dict[str, str] = {
    **{c: "aa" for c in "aɑɐæʌɒ"},
    **{c: "ee" for c in "iɪeɛjɨ"},
    **{c: "oo" for c in "uʊoɔwyʏøœɵʉ"},
    **{c: "er" for c in "əɜɚɝɘ"},
    **{c: "mbp" for c in "mbpɱ"},
    **{c: "fv" for c in "fvʋ"},
    **{c: "th" for c in "θð"},
    **{c: "l" for c in "lntdɫɾʎɲɭɳʈɖ"},
    **{c: "s" for c in "szʃʒɕʑʂʐçʝ"},
    **{c: "k" for c in "kgɡŋhxɣχʁqɦʔ"},
    **{c: "r" for c in "rɹʀɻ"},
}

_MARKS = "'\",%=:;_|!.-#0123456789ˈˌːˑ̩̯̃̆͡ʰʲʷ "


def is_pause(phoneme: str) -> bool:
    """espeak pauses ("_", "_:", "_|", "_!") and word/sentence separators."""
    p = phoneme.strip()
    return not p or p.startswith("_") or p in {"|", "||", ".", ",", "?", "!"}


def viseme_for(phoneme: str) -> str:
    """The viseme for one phoneme, espeak mnemonic or IPA; unknown sounds read as 'er'."""
    if is_pause(phoneme):
        return "rest"
    p = phoneme.strip().lstrip("'\",%=ˈˌ")
    for length in range(min(4, len(p)), 0, -1):
        viseme = _ESPEAK.get(p[:length])
        if viseme:
            return viseme
    for ch in p:
        if ch in _IPA:
            return _IPA[ch]
        if ch not in _MARKS and ch.lower() in _ESPEAK:
            return _ESPEAK[ch.lower()]
    return "er"
