"""Fail when schema.graphql breaks its clients without saying so.

Compares the committed schema.graphql with the one of an earlier commit (the previous one by
default) with graphql-core's `find_breaking_changes`. A breaking change passes when

- a commit message in the range has a line starting with `BREAKING:` (saying what breaks and
  why), or
- it removes an element (field, argument, input field, enum value) that the earlier schema had
  already marked `@deprecated`, or a type that only deprecated elements still referred to.

Usage: .ci/schema_breaking.py [--base REV]  (REV defaults to HEAD~1; a missing REV, as in the
first commit or a shallow clone, skips the check).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterable

from graphql import (
    BreakingChange,
    BreakingChangeType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    get_named_type,
    is_input_object_type,
    is_interface_type,
    is_object_type,
)

SCHEMA_FILE = "schema.graphql"
NOTE = re.compile(r"^\s*BREAKING:", re.MULTILINE)

# How graphql-core 3.3 words each removal (graphql/utilities/find_schema_changes.py); the unit
# tests run the real function, so a new wording fails them rather than excusing nothing silently.
_FIELD_REMOVED = re.compile(r"^Field (?P<type>\w+)\.(?P<field>\w+) was removed\.$")
_ARG_REMOVED = re.compile(r"^Argument (?P<type>\w+)\.(?P<field>\w+)\((?P<arg>\w+):\) was removed\.$")
_ENUM_VALUE_REMOVED = re.compile(r"^Enum value (?P<type>\w+)\.(?P<value>\w+) was removed\.$")
_TYPE_REMOVED = re.compile(r"^(?:Standard scalar )?(?P<type>\w+) was removed\b")


def _fields(schema: GraphQLSchema, type_name: str) -> dict:
    named = schema.type_map.get(type_name)
    return getattr(named, "fields", None) or {}


def _is_deprecated(element) -> bool:
    return element is not None and getattr(element, "deprecation_reason", None) is not None


def _only_deprecated_references(schema: GraphQLSchema, type_name: str) -> bool:
    """Every field, argument and input field of `schema` whose type is `type_name` is deprecated."""
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if is_object_type(named) or is_interface_type(named) or is_input_object_type(named):
            for field in named.fields.values():
                if get_named_type(field.type).name == type_name and not _is_deprecated(field):
                    return False
                for arg in getattr(field, "args", {}).values():
                    if get_named_type(arg.type).name == type_name and not _is_deprecated(arg):
                        return False
    return True


def was_deprecated(old: GraphQLSchema, change: BreakingChange) -> bool:
    """The change removes something the old schema had deprecated first."""
    description = change.description
    if change.type == BreakingChangeType.FIELD_REMOVED and (match := _FIELD_REMOVED.match(description)):
        return _is_deprecated(_fields(old, match["type"]).get(match["field"]))
    if change.type == BreakingChangeType.ARG_REMOVED and (match := _ARG_REMOVED.match(description)):
        field = _fields(old, match["type"]).get(match["field"])
        return field is not None and _is_deprecated(field.args.get(match["arg"]))
    if change.type == BreakingChangeType.VALUE_REMOVED_FROM_ENUM and (match := _ENUM_VALUE_REMOVED.match(description)):
        enum = old.type_map.get(match["type"])
        return _is_deprecated(getattr(enum, "values", {}).get(match["value"]))
    if change.type == BreakingChangeType.TYPE_REMOVED and (match := _TYPE_REMOVED.match(description)):
        return match["type"] in old.type_map and _only_deprecated_references(old, match["type"])
    return False


def unannounced(old_sdl: str, new_sdl: str, messages: Iterable[str]) -> list[BreakingChange]:
    """The breaking changes from old_sdl to new_sdl that neither a deprecation nor a note covers."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    changes = find_breaking_changes(old, new)
    if any(NOTE.search(message) for message in messages):
        return []
    return [change for change in changes if not was_deprecated(old, change)]


def _git(*args: str) -> str | None:
    completed = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return completed.stdout if completed.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare HEAD with (default HEAD~1)")
    base = parser.parse_args(argv).base
    if _git("rev-parse", "--verify", "--quiet", f"{base}^{{commit}}") is None:
        print(f"schema check: skipped, no commit {base} here (first commit or shallow clone)")
        return 0
    old_sdl = _git("show", f"{base}:{SCHEMA_FILE}")
    new_sdl = _git("show", f"HEAD:{SCHEMA_FILE}")
    if old_sdl is None or new_sdl is None:
        print(f"schema check: skipped, {SCHEMA_FILE} is missing at {base} or HEAD")
        return 0
    messages = (_git("log", "--format=%B%x00", f"{base}..HEAD") or "").split("\0")
    left = unannounced(old_sdl, new_sdl, messages)
    if left:
        print(
            f"schema check: {len(left)} breaking change(s) since {base}, with no deprecation first"
            " and no `BREAKING:` line in the commit message:", file=sys.stderr,
        )
        for change in left:
            print(f"  {change.type.name}: {change.description}", file=sys.stderr)
        return 1
    print(f"schema check: no unannounced breaking change since {base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
