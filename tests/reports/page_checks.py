"""Checks of what a reader sees on a report page in the browser: numbers formatted for people
(no scientific notation, no long decimals, tables through the one formatter) and ink where a
Chinese label is drawn."""

from __future__ import annotations

import io
import re

SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")
LONG_DECIMALS = re.compile(r"(?<![\w.])\d[\d,]*\.\d{4,}(?![\w.])")  # show_table never goes past 3

_OUTPUTS = """() => {
  const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter(o => !o.querySelector('.plotly-graph-div, svg'));
  return {
    texts: outputs.map(o => o.innerText),
    raw_tables: [...document.querySelectorAll('.jp-OutputArea-output table')]
      .filter(t => !t.closest('.wb-table')).map(t => t.innerText.slice(0, 200)),
    tables: document.querySelectorAll('.wb-table table').length,
  };
}"""


def readability_problems(page) -> list[str]:
    """What a finance or planning reader would stumble on in ``page``'s outputs (figures
    excluded): a table not shown through ``show_table``, a number in scientific notation, or a
    number with more than three decimals."""
    found = page.evaluate(_OUTPUTS)
    problems = [f"table not formatted by show_table: {text!r}" for text in found["raw_tables"]]
    for text in found["texts"]:
        problems += [f"scientific notation {m!r} in {text[:120]!r}" for m in SCIENTIFIC.findall(text)]
        problems += [f"raw decimals {m!r} in {text[:120]!r}" for m in LONG_DECIMALS.findall(text)]
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
