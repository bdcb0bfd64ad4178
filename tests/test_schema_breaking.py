"""CI's schema check (.ci/schema_breaking.py): a breaking change needs a deprecation first or a
`BREAKING:` line in the commit message."""

from __future__ import annotations

import importlib.util
import subprocess

import pytest

from tests.conftest import REPO_ROOT

_spec = importlib.util.spec_from_file_location("schema_breaking", REPO_ROOT / ".ci" / "schema_breaking.py")
schema_breaking = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(schema_breaking)

OLD = '''
type Query {
  member(code: String!, store: String @deprecated(reason: "Members are chain-wide")): Member
  legacyBalance: Int @deprecated(reason: "Use member.pointsBalance")
  oldCard: Card @deprecated(reason: "Cards are gone")
  tier: Tier
}
type Member { code: String! name: String pointsBalance: Int! }
type Card { number: String! }
enum Tier { GREEN SILVER GOLD BRONZE @deprecated(reason: "Merged into GREEN") }
input CheckInInput { storeCode: String, kiosk: String @deprecated(reason: "Read from the key") }
type Mutation { checkIn(input: CheckInInput!): Int }
'''


def changed(*replacements: tuple[str, str]) -> str:
    sdl = OLD
    for before, after in replacements:
        assert before in sdl, before
        sdl = sdl.replace(before, after)
    return sdl


def descriptions(new_sdl: str, message: str = "Tidy the schema") -> list[str]:
    return [change.description for change in schema_breaking.unannounced(OLD, new_sdl, [message])]


def test_removing_a_field_that_was_not_deprecated_is_reported():
    assert descriptions(changed(("name: String ", ""))) == ["Field Member.name was removed."]


def test_a_breaking_line_in_the_commit_message_lets_it_through():
    message = "Drop Member.name\n\nBREAKING: kiosks read the masked name from memberSummary now.\n"
    assert descriptions(changed(("name: String ", "")), message) == []


def test_the_word_breaking_inside_a_sentence_is_not_the_note():
    message = "Drop Member.name (not BREAKING: nobody reads it)"
    assert descriptions(changed(("name: String ", "")), message) == ["Field Member.name was removed."]


@pytest.mark.parametrize("removal", [
    ('  legacyBalance: Int @deprecated(reason: "Use member.pointsBalance")\n', ""),  # a field
    (', store: String @deprecated(reason: "Members are chain-wide")', ""),  # an argument
    (' BRONZE @deprecated(reason: "Merged into GREEN")', ""),  # an enum value
    (', kiosk: String @deprecated(reason: "Read from the key")', ""),  # an input field
])
def test_removing_what_was_deprecated_first_passes(removal):
    assert descriptions(changed(removal)) == []


def test_a_type_reached_only_through_deprecated_fields_goes_with_them():
    new = changed(
        ('  oldCard: Card @deprecated(reason: "Cards are gone")\n', ""), ("type Card { number: String! }\n", "")
    )
    assert descriptions(new) == []


def test_removing_an_enum_value_or_changing_a_type_that_was_not_deprecated_is_reported():
    new = changed(("GOLD ", ""), ("pointsBalance: Int!", "pointsBalance: String!"))
    assert sorted(descriptions(new)) == [
        "Enum value Tier.GOLD was removed.",
        "Field Member.pointsBalance changed type from Int! to String!.",
    ]


def test_adding_fields_is_not_breaking():
    assert descriptions(changed(("pointsBalance: Int!", "pointsBalance: Int! pendingPoints: Int!"))) == []


def _commit(repo, sdl: str, message: str) -> None:
    (repo / "schema.graphql").write_text(sdl)
    git = ["git", "-C", str(repo), "-c", "user.name=CI", "-c", "user.email=ci@orchard.test"]
    subprocess.run([*git, "add", "schema.graphql"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True, capture_output=True)


def test_the_script_compares_head_with_the_previous_commit_and_skips_without_one(tmp_path, monkeypatch, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    _commit(tmp_path, OLD, "First schema")
    assert schema_breaking.main([]) == 0
    assert "skipped" in capsys.readouterr().out

    _commit(tmp_path, changed(("name: String ", "")), "Drop Member.name")
    assert schema_breaking.main([]) == 1
    assert "Field Member.name was removed." in capsys.readouterr().err

    _commit(tmp_path, changed(("name: String ", ""), ("GOLD ", "")), "Drop GOLD\n\nBREAKING: GOLD is now SILVER.")
    assert schema_breaking.main([]) == 0
