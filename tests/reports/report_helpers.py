"""Helpers for the report tests: fixture notebooks, manifests and folder snapshots."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_notebook(name: str) -> Path:
    return FIXTURES / f"{name}.ipynb"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> content hash) and every folder."""
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def write_manifest(folder: Path, reports: dict, **top) -> Path:
    """A reports.yaml in ``folder`` whose notebooks are copies of fixture notebooks."""
    body = {"output_dir": "out", "timezone": "Asia/Shanghai", **top, "reports": {}}
    for name, spec in reports.items():
        spec = dict(spec)
        source = fixture_notebook(spec.pop("fixture"))
        target = folder / "notebooks" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        body["reports"][name] = {"notebook": f"notebooks/{source.name}", **spec}
    path = folder / "reports.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path
