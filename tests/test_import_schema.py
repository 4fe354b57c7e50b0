"""The published JSON Schema (docs/interchange.schema.json) is the one the import checks with."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema

from oncall_tui.core.model import CHANNELS, DIRECTIONS, EVENT_KINDS, STATUSES, TIERS
from oncall_tui.store.import_schema import json_schema, schema_text
from oncall_tui.store.importer import import_document

from .conftest import NOW, SMALL_DOC, open_store
from .test_export import RICH, export_json

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "docs" / "interchange.schema.json"


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_published_schema_is_what_the_code_declares():
    assert PUBLISHED.read_text(encoding="utf-8") == schema_text(), (
        "docs/interchange.schema.json is stale: python -m oncall_tui.store.import_schema > docs/interchange.schema.json")


def test_the_schema_offers_the_cores_choices():
    defs = json_schema()["$defs"]
    event, case, customer = defs["Event"]["properties"], defs["Case"]["properties"], defs["Customer"]["properties"]
    assert tuple(event["kind"]["enum"]) == EVENT_KINDS and tuple(event["direction"]["enum"]) == DIRECTIONS
    assert tuple(event["channel"]["anyOf"][0]["enum"]) == CHANNELS
    assert tuple(case["status"]["enum"]) == STATUSES
    assert tuple(customer["tier"]["anyOf"][0]["enum"]) == TIERS


def test_integrators_can_check_the_demo_and_an_export_with_it(tmp_path, capsys):
    check = validator()
    assert not list(check.iter_errors(json.loads((ROOT / "fixtures" / "demo.json").read_text(encoding="utf-8"))))
    store = open_store(tmp_path / "rich.db")
    import_document(store, copy.deepcopy(RICH), now=NOW)
    store.close()
    exported = json.loads(export_json(capsys, tmp_path / "rich.db", tmp_path / "out"))
    assert not list(check.iter_errors(exported))


def test_the_schema_refuses_what_the_import_refuses_by_shape():
    check = validator()
    doc = copy.deepcopy(SMALL_DOC)
    doc["cases"][1]["events"][0]["direction"] = "sideways"
    doc["customers"][0]["colour"] = "blue"
    paths = {".".join(map(str, e.absolute_path)) for e in leaves(check.iter_errors(doc))}
    assert {"cases.1.events.0.direction", "customers.0"} <= paths
    assert not any(p.startswith("engineers") for p in paths)


def leaves(errors):
    """The innermost errors (an optional list is "null or a list": its items' errors are inside)."""
    for error in errors:
        if error.context:
            yield from leaves(error.context)
        else:
            yield error
