"""The API's JSON parser: DRF's, with a body nested past Python's recursion limit answered as
the 400 it is (`json` raises RecursionError there, not the ValueError DRF turns into a 400)."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
