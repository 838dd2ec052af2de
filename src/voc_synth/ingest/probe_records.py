"""Test entries in an export: "TEST please ignore", "testing 123", "test ticket".

Helpdesk, survey and review exports carry the entries staff make to check a form or a workflow.
They are no customer's words, yet they reach the analysis as records: a few words long, they
pass the length checks and get themed with whatever they happen to sit close to. Such a record
is set aside with its own reason in the manifest ("test entry"), so nothing is lost silently.

Only a record made of nothing but test words is one: "test", "testing", "test ticket",
"please ignore", numbers and the like, in any order and case. A customer writing about a test
("I tested the kettle and it leaks", "the covid test kit arrived late") is never matched.
"""

from __future__ import annotations

import re

# The words a test entry is made of; a record must be nothing but these (and at least one "test").
_TEST_WORD = re.compile(r"^(?:test(?:s|ing)?|tst)$")
_FILLER = frozenset("""a an just only this is it me please ignore disregard delete ticket message email mail
chat order post review submission entry case call form survey response sample dummy again one two three
do not don't reply respond pls plz the of if that checking check web new system works working""".split())
_TOKEN = re.compile(r"[a-z']+|\d+")


def is_test_entry(text: str) -> bool:
    """Whether `text` is a test entry and nothing else (see the module docstring)."""
    tokens = _TOKEN.findall(str(text).lower().replace("\u2019", "'"))
    if not tokens or len(tokens) > 12:
        return False
    has_test = False
    for token in tokens:
        if _TEST_WORD.match(token):
            has_test = True
        elif not (token.isdigit() or token in _FILLER):
            return False
    return has_test
