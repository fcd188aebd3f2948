"""`q`, the search of lists and the API (issue 16 point 3): every word must match the words a
request is found by (`services/search.py`), internal comments for officials only.

On PostgreSQL a full-text match: the query is parsed as the documents were and each of its
words may begin a word of the request (`PrefixQuery`), served by the GIN indexes of migration
0024 on exactly these expressions; on SQLite (the embedded demo) each word must begin a word
(a regular expression), which finds the same requests for the words people type. The tenant
rule is on the queryset before the search, so nothing counts what the reader may not see."""

from __future__ import annotations

import functools
import operator
import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

SHARED = ("search_text",)
ALL = ("search_text", "search_internal")
# One typed word parsed as the documents are (`'w58rgz' & '-27' & 'c' & '-1100589'`), its last
# lexeme made a prefix (`… & '-1100589':*`): only where the person stopped typing may a word be
# unfinished. The lexemes before it were followed by a delimiter, so they are whole words, and
# GIN skips through a whole word's rows instead of reading those of every word that starts like
# it (`'w58rgz':*` alone took 48 ms among a million requests whose contracts all share it).
PREFIXED = (
    "to_tsquery('simple'::regconfig, regexp_replace(({inner})::text, '''([^'']*)''$', '''\\1'':*'))"
)


class PrefixQuery(SearchQuery):
    """One typed word as above: "5840-01-555" finds NSN 5840-01-555-1234, "GY-2" GY-200."""

    def as_sql(self, compiler, connection, function=None, template=None):
        inner, params = super().as_sql(compiler, connection, function="plainto_tsquery")
        return PREFIXED.format(inner=inner), params


def every_word(words: list[str]):
    """Each typed word a `PrefixQuery`, all of them ANDed: "gyro assem" finds "Gyroscope
    assembly", "Part 1" finds "Part 10"."""
    return functools.reduce(operator.and_, (PrefixQuery(word, config="simple") for word in words))


def search_words(requests, text: str, *, officials: bool):
    words = text.split()
    if not words:
        return requests
    columns = ALL if officials else SHARED
    if connection.vendor == "postgresql":
        vector = SearchVector(*columns, config="simple")
        return requests.alias(found=vector).filter(found=every_word(words))
    condition = Q()
    for word in words:  # at the start of a word, as PostgreSQL's prefixes match
        starts_a_word = r"(^|\W)" + re.escape(word)
        one = Q()
        for column in columns:
            one |= Q(**{f"{column}__iregex": starts_a_word})
        condition &= one
    return requests.filter(condition)
