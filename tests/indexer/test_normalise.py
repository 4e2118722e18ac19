"""What ``versions.normalise`` masks, pinned: it runs the volatile-token regex only on the chunks of
a text that can hold a match, and these cases sit on the chunk edges (a clock or a date whose match
runs over whitespace, tokens whose digit comes after the match, UUIDs without digits)."""

from __future__ import annotations

import pytest

from indexer.versions import normalise


@pytest.mark.parametrize(("text", "masked"), [
    ("plain words only, no digits at all", "plain words only, no digits at all"),
    ("", ""),
    ("a\xa0b\u2003c  d\n\n e", "a b c d e"),
    ("page 12 of 40", "page 12 of 40"),
    ("at 10:42", "at \u2022"),
    ("ends with 10:42   ", "ends with \u2022"),
    # a clock's whitespace and suffix belong to the match, even across a line break
    ("Updated 10:42   pm today", "Updated \u2022 today"),
    ("Updated 10:42\nnext line", "Updated \u2022next line"),
    # an ISO date takes a time after one space, not after a line break
    ("2026-01-01 10:00 and 2026-01-01\n10:00", "\u2022 and \u2022 \u2022"),
    ("Generated 2026-01-02T09:13:44Z by", "Generated \u2022 by"),
    # UUIDs with no digit at all
    ("id abcdefab-abcd-abcd-abcd-abcdefabcdef end", "id \u2022 end"),
    ("id ABCDEFAB-ABCD-ABCD-ABCD-ABCDEFABCDEF-x end", "id \u2022-x end"),
    # a token whose digit is after the part that matched
    ("key abcdefghijklmnopq-1\u00e9 end", "key \u20221\u00e9 end"),
    ("tok_a8f3c2d19e4b7a6c5d2e1f0a_end", "\u2022"),
    ("abc12:30 and x 12:30", "abc12:30 and x \u2022"),
    ("cache=1764000000 ts 1764000000123 big 17640000001234", "cache=\u2022 ts \u2022 big 17640000001234"),
    # non-ASCII digits are digits too
    ("\u0661\u0662:\u0663\u0664 \u0639\u0631\u0628\u064a", "\u2022\u0639\u0631\u0628\u064a"),
])
def test_masked_text(text: str, masked: str) -> None:
    assert normalise(text) == masked


def test_long_text_masks_every_chunk() -> None:
    prose = "The Office publishes yearly detention statistics by country of citizenship. " * 40
    text = f"{prose}Updated 10:42 UTC\n{prose}session a8f3c2d19e4b7a6c5d2e1f0a\n{prose}2026-01-01 10:00 end"
    clean = " ".join(prose.split())
    assert normalise(text) == f"{clean} Updated \u2022 {clean} session \u2022 {clean} \u2022 end"
