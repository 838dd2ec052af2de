"""A cheap "is this English?" check, because every model downstream is English-only.

Records written in another language would otherwise become a theme of their own ("la, de,
est…") and get meaningless sentiment. We count very common function words: a record with
several French/German/Spanish/Italian/Dutch/Portuguese function words and clearly fewer
English ones is set aside as "not English" (listed in the manifest, never silently lost).
"""

from __future__ import annotations

import re

_EN = frozenset("""
the a an and or but of to in on at for with from by is are was were be been it its this that
these those i you he she we they my your our their me him her us them not no do does did have
has had will would can could should very just so if then than there here what which who when
""".split())
_OTHER = frozenset("""
le la les des du un une est et pas très je il elle nous vous sont avec pour dans sur mais tout
ce cette ces qui que ne plus été fait bien comme au aux en deux était étaient c'est j'ai ça
der die das und ist nicht ein eine mit für auf zu den dem sehr aber auch war sind wir ich sie
es kam hat
el los las y muy con para por pero una es está son fue lo del al se su mi quiero
il di che non molto con per una sono è della
het een niet zeer met voor maar ook is zijn van
não muito com para uma mas foi está são também
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_ACCENTED = re.compile(r"[àâäáãåçéèêëíìîïñóòôöõúùûüßœæ]")


def looks_non_english(text: str) -> bool:
    """True when `text` is very probably not English.

    Evidence for another language: its function words, and words with accented letters;
    evidence for English: English function words. Needs a few words to judge at all.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 4:
        return False
    en = sum(w in _EN for w in words)
    other = sum(w in _OTHER and w not in _EN for w in words)
    accented = sum(bool(_ACCENTED.search(w)) for w in words if w not in _OTHER)
    score = other + accented
    return other >= 2 and score >= 3 and score > 2 * en
