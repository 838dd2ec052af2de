"""Which column of a tabular export holds what: the configured mapping, or known headers.

A project can map columns explicitly (`sources[i].columns` or `--text-column` & co.). When it
does not, common helpdesk, review-site, app-store and survey exports are recognised by their
header signatures, and failing that by conventional column names. A mapped column that does
not exist is a user error: `InputError` names the file, the column, the columns found, the
closest match, and the flag or config key to change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..config import ColumnMap
from ..errors import InputError

FIELDS = ("id", "text", "date", "rating", "customer", "channel", "product")

# How a user sets each mapping: CLI flag (None when there is none) and config key.
_FLAG = {
    "id": "--id-column", "text": "--text-column", "date": "--date-column",
    "rating": "--rating-column", "keep": "--keep-column", "customer": None, "channel": None,
    "product": None,
}


def norm_header(name: object) -> str:
    """Header comparison key: case, spaces and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


@dataclass(frozen=True)
class Signature:
    """A known export format: the headers that identify it and where each field lives.

    `requires` is a list of alternatives groups; every group needs one header present.
    Field candidates are normalised header names, first present wins; `text` joins every
    present candidate (subject + description).
    """

    name: str
    source_type: str
    requires: tuple[tuple[str, ...], ...]
    text: tuple[str, ...]
    id: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    rating: tuple[str, ...] = ()
    customer: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    rating_scale: str = ""
    default_channel: str = ""


SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "zendesk", "ticket",
        requires=(("ticketid", "id"), ("subject",), ("description", "body", "comment", "firstcomment")),
        text=("subject", "description", "body", "comment", "firstcomment"),
        id=("ticketid", "id"), date=("createdat", "created", "requested", "date"),
        rating=("satisfactionscore", "satisfaction", "csat", "rating"),
        customer=("requesteremail", "requester", "requestername", "requesterid", "customeremail", "customer"),
        channel=("via", "channel", "source"), product=("product", "productname", "category"),
        keep=("priority", "status", "type", "tags", "group", "category"),
    ),
    Signature(
        "freshdesk", "ticket",
        requires=(("ticketid", "ticketno"), ("subject",), ("description", "descriptiontext", "message")),
        text=("subject", "descriptiontext", "description", "message"),
        id=("ticketid", "ticketno"), date=("createdtime", "createddate", "createdat"),
        customer=("contactid", "contactemail", "contactname", "fullname", "email"),
        channel=("source", "channel"), product=("product",), keep=("priority", "status", "type", "tags"),
    ),
    Signature(
        "chat_export", "ticket",
        requires=(("conversationid", "chatid", "sessionid"), ("message", "transcript", "body", "text", "messages")),
        text=("message", "transcript", "body", "text", "messages"),
        id=("conversationid", "chatid", "sessionid"), date=("createdat", "startedat", "date", "timestamp"),
        rating=("rating", "csat"), customer=("customerid", "customer", "userid", "user", "email"),
        channel=("channel", "source"), product=("product",), default_channel="chat",
    ),
    Signature(
        "generic_ticket", "ticket",
        requires=(("ticketid", "caseid", "ticketnumber", "casenumber"), ("body", "description", "message", "text", "issue", "details")),
        text=("subject", "title", "body", "description", "message", "text", "issue", "details"),
        id=("ticketid", "caseid", "ticketnumber", "casenumber"),
        date=("createdat", "created", "opened", "date", "submitted"),
        rating=("csat", "satisfaction", "rating"), customer=("customerid", "customeremail", "customer", "requester", "email", "name"),
        channel=("channel", "via", "source"), product=("product", "productname", "category"),
        keep=("priority", "status", "tags"),
    ),
    Signature(
        "google_play", "review",
        requires=(("reviewid",), ("content",), ("score",)),
        text=("content",), id=("reviewid",), date=("at", "date"), rating=("score",),
        customer=("username", "userid"),
        keep=("thumbsupcount", "appversion"), rating_scale="1-5", default_channel="app",
    ),
    Signature(
        "product_reviews", "review",
        requires=(("reviewid", "id", "reviewerid"), ("body", "reviewtext", "text", "review", "content", "comment"), ("rating", "stars", "score", "overall")),
        text=("title", "summary", "headline", "body", "reviewtext", "text", "review", "content", "comment"),
        id=("reviewid", "id"), date=("date", "reviewdate", "createdat", "submittedat", "reviewtime"),
        rating=("rating", "stars", "score", "overall"),
        customer=("reviewer", "reviewername", "author", "customer", "customerid", "reviewerid", "user", "username", "email"),
        channel=("source", "site", "channel", "platform"), product=("product", "productname", "productid", "sku", "asin", "item"),
        keep=("verifiedpurchase", "verified", "country", "helpfulvotes"), rating_scale="1-5",
    ),
    Signature(
        "app_store", "review",
        requires=(("review", "body", "content", "text"), ("rating", "score", "stars"),
                  ("appversion", "version", "territory", "device", "reviewcreatedversion")),
        text=("title", "review", "body", "content", "text"), id=("reviewid", "id"),
        date=("date", "updated", "createdat", "at"), rating=("rating", "score", "stars"),
        customer=("username", "author", "nickname", "reviewer", "userid"),
        keep=("version", "appversion", "territory", "country"), rating_scale="1-5", default_channel="app",
    ),
    Signature(
        "nps_survey", "survey",
        requires=(("nps", "npsscore", "score", "likelihoodtorecommend", "recommend", "rating", "csat"), ("comment", "comments", "reason", "verbatim", "feedback", "why", "answer", "response", "text")),
        text=("comment", "comments", "reason", "verbatim", "feedback", "why", "answer", "response", "text"),
        id=("responseid", "respondentid", "surveyresponseid", "id"),
        date=("submittedat", "date", "respondedat", "createdat", "timestamp"),
        rating=("nps", "npsscore", "score", "likelihoodtorecommend", "recommend", "rating", "csat"),
        customer=("customerid", "respondentid", "customer", "email", "userid"),
        channel=("channel", "source"), product=("product", "plan"), keep=("segment", "plan", "country", "region", "persona"),
    ),
)

# Conventional names when no signature matches, in order of preference (normalised).
GENERIC = {
    "text": ("text", "comment", "comments", "feedback", "review", "reviewtext", "body", "content",
             "message", "description", "verbatim", "response", "answer", "details", "notes"),
    "id": ("id", "recordid", "responseid", "reviewid", "ticketid", "uuid", "key"),
    "date": ("date", "createdat", "created", "timestamp", "submittedat", "datetime", "time"),
    "rating": ("rating", "score", "stars", "nps", "csat", "overall"),
    "customer": ("customerid", "customer", "userid", "user", "username", "author", "email", "name"),
    "channel": ("channel", "source", "via", "platform"),
    "product": ("product", "productname", "sku", "item"),
}
_TEXT_HINTS = ("comment", "feedback", "review", "text", "message", "verbatim", "body", "description")

# Path words that say which kind of evidence a file holds when its headers do not.
PATH_HINTS = (
    ("ticket", ("ticket", "support", "helpdesk", "zendesk", "freshdesk", "chat", "escalation", "case", "inbox", "email")),
    ("survey", ("survey", "nps", "csat", "verbatim", "questionnaire", "poll")),
    ("review", ("review", "rating", "appstore", "app_store", "playstore", "trustpilot")),
    ("interview", ("interview", "transcript")),
)


def type_from_path(path: str) -> str | None:
    """The source type the file's path suggests ("tickets/export.csv" → ticket), if any."""
    low = path.lower()
    for source_type, words in PATH_HINTS:
        if any(w in low for w in words):
            return source_type
    return None


@dataclass
class ResolvedColumns:
    """The actual headers to read for each field of one file."""

    text: list[str]
    id: str | None = None
    date: str | None = None
    rating: str | None = None
    customer: str | None = None
    channel: str | None = None
    product: str | None = None
    keep: list[str] = field(default_factory=list)
    detected_by: str = "config"
    source_type: str | None = None     # what the headers say, when a signature matched
    rating_scale: str = ""
    default_channel: str = ""


def _config_key(source_index: int, key: str) -> str:
    return f"sources[{source_index}].columns.{key}"


def missing_column_error(
    file_label: str, asked: str, headers: Sequence[str], key: str, source_index: int
) -> InputError:
    """The message for a mapped column that is not in the file."""
    names = [str(h) for h in headers]
    close = difflib.get_close_matches(asked, names, n=1, cutoff=0.5)
    if not close:
        by_norm = {norm_header(h): h for h in names}
        close_norm = difflib.get_close_matches(norm_header(asked), list(by_norm), n=1, cutoff=0.5)
        close = [by_norm[c] for c in close_norm]
    hint = f" Did you mean '{close[0]}'?" if close else ""
    flag = _FLAG.get(key)
    how = f"{flag} (command line) or {_config_key(source_index, key)} (voc_synth.yaml)" if flag else _config_key(source_index, key)
    shown = ", ".join(repr(n) for n in names[:40]) + (" …" if len(names) > 40 else "")
    return InputError(
        f"{file_label}: column '{asked}' (asked for as the {key} column) is not in the file.{hint}\n"
        f"  Columns found: {shown or '(none)'}\n"
        f"  Set the right name with {how}."
    )


def _find(asked: str, headers: Sequence[str]) -> str | None:
    if asked in headers:
        return asked
    wanted = norm_header(asked)
    for header in headers:
        if norm_header(header) == wanted:
            return header
    return None


def _first_present(candidates: Sequence[str], by_norm: dict[str, str]) -> str | None:
    for cand in candidates:
        if cand in by_norm:
            return by_norm[cand]
    return None


def match_signature(headers: Sequence[str]) -> Signature | None:
    """The first known export format whose required headers are all present."""
    present = {norm_header(h) for h in headers}
    for sig in SIGNATURES:
        if all(any(alt in present for alt in group) for group in sig.requires):
            return sig
    return None


def resolve_columns(
    headers: Sequence[str],
    mapping: ColumnMap | None,
    *,
    file_label: str,
    source_index: int,
) -> ResolvedColumns | None:
    """Headers for each field, from `mapping` where it says, else from known formats.

    Raises `InputError` for a mapped column the file lacks. Returns None when no text column
    can be found (the caller skips the file and says how to map one).
    """
    headers = [str(h) for h in headers]
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(norm_header(h), h)

    explicit: dict[str, object] = {}
    if mapping is not None:
        for key in FIELDS:
            value = getattr(mapping, key)
            if key == "text":
                found = []
                for asked in value:
                    hit = _find(asked, headers)
                    if hit is None:
                        raise missing_column_error(file_label, asked, headers, "text", source_index)
                    found.append(hit)
                if found:
                    explicit["text"] = found
            elif value:
                hit = _find(value, headers)
                if hit is None:
                    raise missing_column_error(file_label, value, headers, key, source_index)
                explicit[key] = hit
        keep = []
        for asked in mapping.keep:
            hit = _find(asked, headers)
            if hit is None:
                raise missing_column_error(file_label, asked, headers, "keep", source_index)
            keep.append(hit)
        explicit["keep"] = keep

    sig = match_signature(headers)
    if sig is not None:
        auto = ResolvedColumns(
            text=[by_norm[c] for c in sig.text if c in by_norm],
            detected_by=f"signature:{sig.name}",
            source_type=sig.source_type,
            rating_scale=sig.rating_scale,
            default_channel=sig.default_channel,
            keep=[by_norm[c] for c in sig.keep if c in by_norm],
        )
        for key in ("id", "date", "rating", "customer", "channel", "product"):
            setattr(auto, key, _first_present(getattr(sig, key), by_norm))
    else:
        text = _first_present(GENERIC["text"], by_norm)
        if text is None:
            hinted = [h for h in headers if any(w in norm_header(h) for w in _TEXT_HINTS)]
            text = hinted[0] if hinted else None
        auto = ResolvedColumns(text=[text] if text else [], detected_by="column names")
        for key in ("id", "date", "rating", "customer", "channel", "product"):
            setattr(auto, key, _first_present(GENERIC[key], by_norm))

    if explicit:
        if "text" in explicit:
            # The user mapped the columns: fill in only the unambiguous id, date and rating,
            # never guess customer/channel/product/keep behind their back.
            auto.detected_by = "config"
            auto.customer = auto.channel = auto.product = None
            auto.keep = []
        else:
            auto.detected_by = f"config + {auto.detected_by}"
        for key, value in explicit.items():
            if key == "keep":
                if value:
                    auto.keep = list(value)  # type: ignore[arg-type]
            else:
                setattr(auto, key, value)
    # A field used for one role is not also a pass-through or a second role's source.
    used = set(auto.text)
    auto.keep = [k for k in dict.fromkeys(auto.keep) if k not in used]
    if not auto.text:
        return None
    return auto
