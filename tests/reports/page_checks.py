"""Checks of what a reader sees on a report page in the browser: numbers formatted for people
(no scientific notation, no long decimals, tables through the one formatter) and ink where a
Chinese label is drawn."""

from __future__ import annotations

import io
import re

SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")
TABLE_DECIMALS = re.compile(r"(?<![\w.])\d[\d,]*\.\d{4,}(?![\w.])")  # show_table: at most 3 ("ratio:3")
# printed text: at most 3 decimals, and none past 2 on amounts of a thousand or more (money)
TEXT_DECIMALS = re.compile(r"(?<![\w.,])(?:\d[\d,]*\.\d{4,}|\d{1,3}(?:,\d{3})+\.\d{3,}|\d{4,}\.\d{3,})(?![\w.])")

_OUTPUTS = """() => {
  const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter(o => !o.querySelector('.plotly-graph-div, svg'));
  return {
    texts: outputs.filter(o => !o.querySelector('.wb-table')).map(o => o.innerText),
    table_texts: [...document.querySelectorAll('.wb-table')].map(t => t.innerText),
    raw_tables: [...document.querySelectorAll('.jp-OutputArea-output table')]
      .filter(t => !t.closest('.wb-table')).map(t => t.innerText.slice(0, 200)),
    tables: document.querySelectorAll('.wb-table table').length,
    misaligned: [...document.querySelectorAll('.wb-table td')]
      .filter(c => getComputedStyle(c).textAlign !== (c.classList.contains('num') ? 'right' : 'left'))
      .map(c => c.innerText).slice(0, 5),
  };
}"""


def readability_problems(page) -> list[str]:
    """What a finance or planning reader would stumble on in ``page``'s outputs (figures
    excluded): a table not shown through ``show_table``, a misaligned cell, a number in
    scientific notation, or a number with more decimals than a reader needs (three at most;
    amounts of a thousand or more in printed text, two)."""
    found = page.evaluate(_OUTPUTS)
    problems = [f"table not formatted by show_table: {text!r}" for text in found["raw_tables"]]
    problems += [f"cell {text!r} misaligned (labels left, numbers right)" for text in found["misaligned"]]
    for texts, decimals in ((found["texts"], TEXT_DECIMALS), (found["table_texts"], TABLE_DECIMALS)):
        for text in texts:
            problems += [f"scientific notation {m!r} in {text[:120]!r}" for m in SCIENTIFIC.findall(text)]
            problems += [f"raw decimals {m!r} in {text[:120]!r}" for m in decimals.findall(text)]
    return problems


def ink_pixels(png: bytes, threshold: int = 160) -> int:
    """Pixels darker than ``threshold`` (0-255 grey) in a screenshot."""
    from PIL import Image

    grey = Image.open(io.BytesIO(png)).convert("L")
    return sum(1 for value in grey.getdata() if value < threshold)


def same_image(a: bytes, b: bytes) -> bool:
    """Whether two screenshots have the same pixels (missing glyphs all draw the same box)."""
    from PIL import Image, ImageChops

    first, second = (Image.open(io.BytesIO(png)).convert("L") for png in (a, b))
    return first.size == second.size and ImageChops.difference(first, second).getbbox() is None
