"""Word timings from phoneme word-groups, shared by the engines that time phonemes themselves
(piper's and hibari's duration tensors).

A phonemizer turns a sentence into words of phonemes, but not always one per text token:
"$29.99" becomes seven, "out of" may become one. Each token's own phonemization says how many
groups it owns; when context changes the total, tokens share the groups in proportion.
"""

from __future__ import annotations

import numpy as np

from pipelines.voice.base import Timed, is_spoken, tokens

_PUNCTUATION = set(";:,.!?—…\"“”()«»¡¿'-")


def count_groups_words(phonemes: str) -> int:
    """Phoneme words in a phonemizer's output string (space separated, punctuation aside)."""
    return sum(1 for word in phonemes.split() if any(ch not in _PUNCTUATION for ch in word))


def words_from_groups(text: str, groups: list[list[Timed]], counts: list[int]) -> list[Timed]:
    """Spoken tokens of `text` timed by the phoneme groups they produced; a token that owns no
    group is spoken together with the next one and shares its timing (label "a b")."""
    toks = [t for _, _, t in tokens(text) if is_spoken(t)]
    if not toks or not groups:
        return []
    total = sum(counts)
    if total != len(groups):
        edges = np.round(np.cumsum([0, *counts]) * (len(groups) / total)).astype(int)
    else:
        edges = np.cumsum([0, *counts])
    words: list[Timed] = []
    pending = ""
    for k, tok in enumerate(toks):
        owned = groups[edges[k]: edges[k + 1]]
        if not owned:
            pending = f"{pending} {tok}".strip()
            continue
        label = f"{pending} {tok}".strip() if pending else tok
        pending = ""
        words.append(Timed(label, owned[0][0].start, owned[-1][-1].end))
    if pending and words:
        words[-1] = Timed(f"{words[-1].label} {pending}", words[-1].start, words[-1].end)
    return words
