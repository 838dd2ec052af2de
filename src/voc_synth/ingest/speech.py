"""Speech is not text: small talk, disfluencies and interrupted answers in interview transcripts.

Transcribed speech carries things a written review never does, and each would otherwise end up
in the analysis:

- **Small talk and logistics** ("can you hear me?", "this meeting is being recorded", "thanks,
  bye", "good luck with the project"). Such a unit is dropped as `small talk` (counted in the
  manifest), so it can never form a theme of its own.
- **Disfluencies** ("um", "uh", "I I think", "the- the app") and transcriber tags
  ("[inaudible]", "[laughs]", "[overlapping speech]"), and an observer's notes of what someone
  does ("(The participant reads the task again)"). Quotes are shown and embedded as
  *clean verbatim*, the convention of transcription services: fillers and stutters removed,
  every word the person chose kept. The segment's offsets still point at the exact verbatim
  span in the document, so `clean_verbatim(document.text[char_start:char_end]) == text`.
- **Interrupted answers**: "so what I ended up doing was" / Interviewer: "mm-hmm" / "going back
  to the old app". The answer is one thought; `join_interrupted_turns` makes it one turn so no
  segment starts mid-sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .meaning import PLACEHOLDER
from .records import Record
from .segment import FILLER_WORDS, drop_reason, words

# Phrases that are about the call, the recording or the social frame, never about the
# customer's experience. Matched case-insensitively on word boundaries.
_SMALL_TALK_PHRASES = [
    # audio, video and screens
    r"can you (?:hear|see) me", r"can you hear", r"(?:i )?can (?:hear|see) you(?: (?:fine|ok|okay|well|now))?", r"(?:do|can) you see my screen", r"you(?:'re| are) (?:on )?mute(?:d)?",
    r"i(?:'m| am) (?:on )?mute(?:d)?", r"(?:share|sharing|stop sharing) (?:my |the |your )?screen",
    r"screen ?share", r"(?:my|your|the) (?:audio|mic|microphone|camera|video|connection|internet|wi-?fi)"
    r"(?: (?:is|was|keeps|cut|dropped|froze|frozen|lagging|breaking)\w*)?",
    r"you(?:'re| are) breaking up", r"(?:you )?froze", r"(?:bad|poor|slow) connection", r"echo",
    # recording and consent
    r"(?:this|the) (?:meeting|call|session|interview|conversation) is (?:being )?record(?:ed|ing)",
    r"(?:start|stop|started|stopped|starting|stopping|begin|hit) (?:the )?record(?:ing|er)?",
    r"(?:recording|transcription) (?:has )?(?:started|stopped|is on|in progress)",
    r"(?:is it|it's|is that|are you) (?:ok|okay|alright|fine) (?:if|for|to|with) (?:i|we|me|us)? ?record",
    r"(?:mind|okay|ok) (?:if )?(?:i|we) record", r"consent(?: form)?", r"(?:permission|agree) to record",
    # greetings, thanks and goodbyes
    r"nice to (?:meet|see|talk to) you", r"good to (?:meet|see|talk to) you", r"how are you(?: doing)?(?: today)?",
    r"how(?:'s| is) it going", r"how(?:'s| is) your (?:day|morning|afternoon|week)", r"good (?:morning|afternoon|evening)",
    r"thank(?:s| you)(?: (?:so|very) much)?(?: again)? for (?:your time|joining|taking (?:the )?time|having me|"
    r"coming|doing this|participating|your help|chatting|talking|speaking|sharing)",
    r"thank(?:s| you)(?: (?:so|very) much)?(?: again)?", r"have a (?:good|great|nice|lovely|wonderful) "
    r"(?:day|one|evening|weekend|afternoon|morning|rest of (?:your|the) day|week)",
    r"good ?luck(?: with [\w\s]{0,30})?", r"bye(?:[- ]bye)?", r"take care", r"see you(?: (?:later|soon|then))?",
    r"talk (?:to you )?(?:soon|later)", r"cheers", r"(?:you're|you are) welcome", r"no (?:problem|worries)",
    r"my pleasure", r"pleasure", r"sounds? (?:good|great|fine|perfect)", r"all right", r"alright", r"you too",
    r"(?:i'm|i am|we're|we are) ready(?: (?:when|whenever) you are)?", r"(?:i'll|i will) be right back",
    r"be right back", r"give me (?:like )?(?:less than )?(?:a|one|two|a couple of) (?:minutes?|seconds?|secs?)",
    # running the session
    r"give me (?:a|one) (?:second|sec|minute|moment)", r"one (?:second|sec|moment)", r"hold on",
    r"(?:sorry|apologies) (?:about that|for (?:the|being) (?:late|delay|wait))", r"running (?:a bit |a little )?late",
    r"(?:shall|should|can) we (?:start|begin|get started|get going|wrap up)", r"let(?:'s| us) (?:get started|start|begin|wrap up)",
    r"(?:any|do you have any) (?:other |more |final |last )?questions(?: for me)?",
    r"(?:that's|that is) (?:all|it|everything) (?:from me|i had|i have|for (?:me|today|now))",
    r"(?:i'll|i will|we'll|we will) (?:stop|end) (?:the )?(?:call|meeting|recording|there)",
    r"(?:let me|i'll|i will) (?:just )?(?:open|pull up|find|grab|check) (?:my|the) (?:notes|doc|document|questions|script)",
    r"(?:you're|you are|we're|we are) (?:all )?(?:set|good)", r"(?:all|everything) good",
    # closing and holding the floor, not content
    r"(?:i think )?(?:i've|i have) said (?:it )?all", r"(?:i've|i have) (?:got )?nothing (?:else|more)(?: to add)?",
    r"nothing (?:else|more) to add", r"(?:that's|that is) (?:about )?it(?: really)?", r"let me think",
    r"let me start (?:again|over)", r"(?:i've )?(?:completely )?lost my train of thought", r"oh,? (?:gosh|god|wow)",
    r"(?:that's|that is) a (?:good|hard|tough|great) (?:question|one)",
    # a think-aloud session's own steps: "task completed", "do I go to task 5?"
    r"(?:the |this |that )?(?:sub ?)?tasks? (?:is |are |was |has been )?(?:now |also )?(?:completed?|done|finished|over)"
    r"(?: (?:for|on) (?:the )?(?:sub ?)?(?:task )?(?:number )?(?:\d+|[a-z]|one|two|three|four|five|six|seven|eight|nine|ten))?",
    r"(?:i(?:'ve| have)? )?(?:now |just )?(?:finished|completed|done with) (?:the |this |that )?(?:sub ?)?task"
    r"(?: (?:number )?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten))?",
    r"(?:(?:i(?:'ll| will)|let me|let's|shall i|do i|can i|should i|i'm going to|i am going to) )?(?:now )?"
    r"(?:go|move|continue|carry on) (?:on )?(?:to|with|onto) (?:the )?(?:next )?(?:sub ?)?task"
    r"(?: (?:number )?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten))?",
    r"(?:on ?to )?(?:the )?next (?:sub ?)?task",
    r"(?:perfect|great|cool|awesome|lovely|brilliant|wonderful)",
]
_SMALL_TALK = re.compile(r"(?<![\w'])(?:" + "|".join(_SMALL_TALK_PHRASES) + r")(?![\w'])", re.IGNORECASE)

# Fillers that carry nothing in speech (never "like" or "you know": they can carry meaning).
_FILLER = r"(?:u+h+m*|u+m+|e+r+m+|e+r+|h+m+|m+h*m+|mm-hmm|uh-huh|ah+|eh)"
_FILLER_RE = re.compile(rf"(?:,\s*)?(?<![\w'\-]){_FILLER}(?![\w'\-])(?:\s*[,.…]+(?=\s|$))?", re.IGNORECASE)
# A word, or two words, said twice or more in a row: "I I I think", "it was, it was".
_REPEAT_1 = re.compile(r"(?<![\w'’\-])([\w'’]+)(?:[ \t]*[,.…\-–—]*[ \t]+\1)+(?![\w'’\-])", re.IGNORECASE)
_REPEAT_2 = re.compile(r"(?<![\w'’\-])([\w'’]+[ \t]+[\w'’]+)(?:[ \t]*[,.…\-–—]*[ \t]+\1)+(?![\w'’\-])", re.IGNORECASE)
# A false start cut off by a dash: "the- the app", "w- what", "I was- I went".
_CUT_OFF = re.compile(r"(?<![\w'’])([\w'’]{1,12})[-–—](?=\s+\w)(?!\s+[-–—])")
# What a transcriber writes about the audio, not what anyone said ("[inaudible]", "[laughs]",
# "(crosstalk)", "[overlapping speech]"). Redaction placeholders ([NAME]) are upper case and kept.
_TRANSCRIBER_TAG = re.compile(
    r"[\[(](?:inaudible|unintelligible|indiscernible|crosstalk|cross-talk|overlapping(?: speech| talk)?|"
    r"laugh(?:s|ing|ter)?|chuckles?|sighs?|coughs?|pause[sd]?|long pause|silence|music|noise|"
    r"background noise|applause|static|audio cuts? out|audio drops?|break in audio|unclear|"
    r"foreign language|speaking foreign language|phone rings|door closes|typing)"
    r"(?:[ ,]+\d{1,2}:\d{2}(?::\d{2})?)?[\])]", re.IGNORECASE)
# What an observer writes about what someone does, not what they said: "(The participant reads
# the task again)", "[Interviewer shares the prototype]". A think-aloud transcript is full of
# them, inside the participant's own lines. Only notes whose subject is a role are taken: a
# parenthesis the speaker said ("(and I mean it)") stays.
_STAGE_DIRECTION = re.compile(
    r"[\[(](?:(?:the\s+)?(?:participants?|interviewees?|respondents?|moderators?|interviewers?|"
    r"facilitators?|researchers?|observers?)|the\s+(?:users?|customers?))\b[^\[\]()]{1,150}[\])]", re.IGNORECASE)
# The ellipses either side of a removed note ("the answer... (note)... okay") become one.
_ELLIPSES = re.compile(r"(?:\.{3}|…)(?:\s*(?:\.{3}|…))+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?…])")
_DOUBLE_PUNCT = re.compile(r"([,;:])(?:\s*[,;:])+")
_LEADING_PUNCT = re.compile(r"^[\s,;:.…\-–—]+")
# Words that are never repeated for emphasis by accident ("very very", "no no" can be emphasis
# but are harmless to collapse; "that that" is grammatical but rare in speech; keep "had had").
_KEEP_REPEATS = frozenset({"had", "ha", "bye", "knock", "so", "very", "really", "no", "yeah", "bla", "blah"})


def clean_verbatim(text: str) -> str:
    """`text` as clean verbatim: fillers, stutters and accidental repeats removed.

    "Um, so I- I think the the app was, uh, fine" → "So I think the app was fine". Every word
    the speaker chose is kept; only the noise of speech goes. Idempotent.
    """
    out = _TRANSCRIBER_TAG.sub(" ", text)
    out = _STAGE_DIRECTION.sub(" ", out)
    out = _ELLIPSES.sub("...", out)
    out = _FILLER_RE.sub(" ", out)
    out = _CUT_OFF.sub(lambda m: "" if _is_false_start(m, out) else m.group(0), out)
    out = _REPEAT_2.sub(r"\1", out)
    out = _REPEAT_1.sub(lambda m: m.group(0) if m.group(1).lower() in _KEEP_REPEATS else m.group(1), out)
    out = _DOUBLE_PUNCT.sub(r"\1", out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    out = _LEADING_PUNCT.sub("", out)
    out = re.sub(r"[ \t]{2,}", " ", out).strip()
    out = re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), out)
    if out[:1].islower() and not text.lstrip()[:1].islower():
        out = out[0].upper() + out[1:]
    elif out[:1].islower() and _starts_with_filler(text):
        out = out[0].upper() + out[1:]
    return out


def _starts_with_filler(text: str) -> bool:
    first = words(text[:20])
    return bool(first) and re.fullmatch(_FILLER, first[0], re.IGNORECASE) is not None


def _is_false_start(match: re.Match[str], text: str) -> bool:
    """A dash-cut word is a false start when the speaker restarts: "the- the", "w- what",
    "I was- I went"; not a hyphenated compound or a dash used as punctuation ("good- really")."""
    fragment = match.group(1).lower()
    following = text[match.end():].lstrip()
    nxt = [w.lower() for w in words(following[:60])[:2]]
    if not nxt:
        return False
    # "the- the app", "re- the refund" (the restart may come one word later), "w- what".
    return any(w.startswith(fragment) for w in nxt) or (len(fragment) <= 2 and nxt[0][:1] == fragment[:1])


def too_little_said(text: str) -> bool:
    """A spoken unit with fewer than two words beyond backchannel ("Yeah. All right.", "Okay,
    sounds good.", "I do, yeah."): in conversation such a unit answers nothing on its own."""
    return len([w for w in words(text) if w.lower().replace("’", "'") not in FILLER_WORDS]) < 2


def is_small_talk(text: str) -> bool:
    """True when a unit is only about the call, the recording or the social frame.

    The unit's words are what is left after removing small-talk phrases and filler words; it is
    small talk when a phrase matched and at most two other words remain ("cool, perfect, thanks
    so much for your time, Sara" → small talk; "thanks, the delivery was fine though" → not).
    """
    if not _SMALL_TALK.search(text):
        return False
    rest = _SMALL_TALK.sub(" ", PLACEHOLDER.sub(" ", text))
    content = [w for w in words(rest) if w.lower().replace("’", "'") not in FILLER_WORDS]
    return len(content) <= 2


_SENTENCE_END = re.compile(r"[.!?…]['\")\]]*\s*$")


def ends_sentence(text: str) -> bool:
    """Whether a turn ends at the end of a sentence (punctuation closes it)."""
    return bool(_SENTENCE_END.search(text.strip()))


def interrupted_pairs(speakers: Sequence[str], texts: Sequence[str], is_backchannel: Sequence[bool]) -> list[tuple[int, int]]:
    """(i, k) pairs of turns by the same speaker that are one utterance interrupted.

    Turn i does not end a sentence, every turn between i and k is a backchannel by someone
    else ("mm-hmm", "right"), and turn k continues with a lower-case word. Only then is the
    interruption noise: a full stop or a capitalised restart means two thoughts.
    """
    pairs = []
    for i, text in enumerate(texts):
        if not text.strip() or ends_sentence(text):
            continue
        k = i + 1
        while k < len(texts) and is_backchannel[k] and speakers[k] != speakers[i]:
            k += 1
        if k == i + 1 or k >= len(texts) or speakers[k] != speakers[i]:
            continue
        start = texts[k].lstrip()
        if start[:1].islower() and not start.startswith(("i ", "i'")):
            pairs.append((i, k))
        elif start[:2].lower() in ("i ", "i'") and text.rstrip().endswith(","):
            pairs.append((i, k))
    return pairs


def join_interrupted_turns(record: Record) -> int:
    """Merge each interrupted answer of an interview record into one turn, in place.

    Runs after the speakers are decided (`record.speakers`, `record.interviewer_turns`). The
    backchannel turns in between are removed: they carry nothing and would otherwise sit in the
    middle of the answer. Returns the number of merges.
    """
    turns = record.raw.turns or []
    if len(turns) < 3 or len(record.turn_texts) != len(turns):
        return 0
    labels = [t.speaker for t in turns]
    backchannel = [drop_reason(text, 1) == "filler" for text in record.turn_texts]
    pairs = interrupted_pairs(labels, record.turn_texts, backchannel)
    if not pairs:
        return 0
    target = {k: i for i, k in pairs}
    drop: set[int] = set()
    for i, k in pairs:
        drop.update(range(i + 1, k + 1))
    # Chains (i → k → m) land in the first turn: walk k's own target through `root`.
    root: dict[int, int] = {}
    for k in sorted(target):
        i = target[k]
        root[k] = root.get(i, i)
    for k in sorted(root):
        i = root[k]
        turns[i].text = f"{turns[i].text.rstrip()} {turns[k].text.lstrip()}"
        turns[i].last = max(turns[i].last, turns[k].last)
        record.turn_texts[i] = f"{record.turn_texts[i].rstrip()} {record.turn_texts[k].lstrip()}"
    keep = [j for j in range(len(turns)) if j not in drop]
    new_index = {j: n for n, j in enumerate(keep)}
    record.raw.turns = [turns[j] for j in keep]
    record.turn_texts = [record.turn_texts[j] for j in keep]
    if record.speakers:
        record.speakers = [record.speakers[j] for j in keep]
    record.interviewer_turns = {new_index[j] for j in record.interviewer_turns if j in new_index}
    return len(pairs)


def question_context(text: str, sentences: Sequence[tuple[int, int]], asks: Callable[[str], bool],
                     max_sentences: int = 2) -> str:
    """The part of an interviewer turn that the next answer responds to, as clean verbatim.

    "Great. Just so you know, this is being recorded. So how long have you used it?" → "So how
    long have you used it?": the last sentences that ask something (at most `max_sentences`),
    without the small talk and framing before them. A turn that asks nothing is kept whole.
    """
    spans = [(a, b) for a, b in sentences if text[a:b].strip()] or [(0, len(text))]
    asking = [i for i, (a, b) in enumerate(spans) if asks(text[a:b]) and not is_small_talk(text[a:b])]
    if not asking:
        return clean_verbatim(text)
    last = asking[-1]
    first = last
    while first > 0 and last - first + 1 < max_sentences and (first - 1) in asking:
        first -= 1
    return clean_verbatim(text[spans[first][0]:spans[last][1]])
