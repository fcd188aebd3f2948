"""The words `/help/` explains, each with its stable anchor (`/help/#nsn`): the page's table of
contents and the "What is this?" hints beside the terms on other pages (`partials/hint.html`)
both read this list, so a hint never points at an entry that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    anchor: str  # the id on /help/: part of the page's contract, never renamed
    name: str | Promise

    @property
    def key(self) -> str:
        """The anchor as a template can look it up (`terms.program_symbol`)."""
        return self.anchor.replace("-", "_")

    @property
    def url(self) -> str:
        return f"/help/#{self.anchor}"


GLOSSARY: tuple[Term, ...] = (
    Term("sosa", _("Security of Supply Arrangement (SOSA)")),
    Term("routes", _("The two routes: DPAS and Code of Conduct")),
    Term("dpas", _("DPAS")),
    Term("rating", _("DO and DX ratings")),
    Term("program-symbol", _("Program symbols")),
    Term("code-of-conduct", _("Code of Conduct")),
    Term("endorsement", _("Endorsement")),
    Term("ball-in-court", _("Ball in court")),
    Term("working-days", _("Working days")),
    Term("escalation", _("Escalation")),
    Term("posture", _("Posture: peacetime, emergency, armed conflict")),
    Term("nsn", _("NSN (NATO Stock Number)")),
    Term("cui", _("CUI and handling markings")),
)
TERMS: dict[str, Term] = {term.anchor: term for term in GLOSSARY}
BY_KEY: dict[str, Term] = {term.key: term for term in GLOSSARY}  # as templates look them up


def term(anchor: str) -> Term:
    """The entry behind a hint; a KeyError names a hint to an entry /help/ does not have."""
    return TERMS[anchor]
