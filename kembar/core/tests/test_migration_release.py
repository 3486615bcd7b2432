"""Released migrations never change: a change to the schema is a new migration."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kembar.core.migration_release import (
    LISTING,
    migration_files,
    release_check,
    release_new_migrations,
    released_migrations,
)


def test_released_migrations_are_unchanged() -> None:
    check = release_check()

    assert check.changed == (), (
        f"Released migrations were edited: {', '.join(check.changed)}. A released migration "
        "has run on databases in service and never runs again there: restore the file as "
        "released (git checkout it) and put the change in a new migration (makemigrations)."
    )
    assert check.missing == (), (
        f"Released migrations disappeared: {', '.join(check.missing)}. Databases in service "
        "have applied them; restore the files and make a new migration instead."
    )


def test_the_listing_holds_the_first_release() -> None:
    released = released_migrations()

    assert len(released) >= 15
    assert "kembar/partnerships/migrations/0001_initial.py" in released
    assert all(len(digest) == 64 for digest in released.values())
    assert LISTING.read_text().startswith("# SHA-256 of every released migration")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project tree with two migrations of one app, the first released."""
    folder = tmp_path / "kembar" / "things" / "migrations"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "0001_initial.py").write_text("operations = []\n")
    release_new_migrations(root=tmp_path, listing=tmp_path / "released.txt")
    (folder / "0002_more.py").write_text("operations = ['more']\n")
    return tmp_path


def test_a_new_migration_is_unreleased_not_broken(tree: Path) -> None:
    check = release_check(root=tree, listing=tree / "released.txt")

    assert check.unreleased == ("kembar/things/migrations/0002_more.py",)
    assert not check.broken


def test_an_edited_released_migration_is_caught(tree: Path) -> None:
    (tree / "kembar/things/migrations/0001_initial.py").write_text("operations = ['edited']\n")

    check = release_check(root=tree, listing=tree / "released.txt")

    assert check.changed == ("kembar/things/migrations/0001_initial.py",)
    assert check.broken


def test_a_removed_released_migration_is_caught(tree: Path) -> None:
    (tree / "kembar/things/migrations/0001_initial.py").unlink()

    check = release_check(root=tree, listing=tree / "released.txt")

    assert check.missing == ("kembar/things/migrations/0001_initial.py",)


def test_release_appends_only_new_migrations(tree: Path) -> None:
    listing = tree / "released.txt"
    before = listing.read_text()

    new = release_new_migrations(root=tree, listing=listing)

    assert new == ["kembar/things/migrations/0002_more.py"]
    assert listing.read_text().startswith(before)
    assert released_migrations(listing) == migration_files(tree)
    assert release_new_migrations(root=tree, listing=listing) == []


def test_release_command_check_changes_nothing() -> None:
    before = LISTING.read_text()

    with translation.override("en"):
        call_command("release_migrations", "--check")

    assert LISTING.read_text() == before


def test_release_command_refuses_while_a_released_migration_changed(
    settings: Any, tree: Path
) -> None:
    settings.BASE_DIR = tree
    (tree / "kembar/things/migrations/0001_initial.py").write_text("operations = ['edited']\n")

    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("release_migrations", "--listing", str(tree / "released.txt"))

    assert str(caught.value) == (
        "Released migrations were edited or removed (changed: "
        "kembar/things/migrations/0001_initial.py; missing: -). Put them back as released "
        "and make a new migration instead."
    )
    assert "0002_more" not in (tree / "released.txt").read_text()


def test_release_command_lists_new_migrations(settings: Any, tree: Path) -> None:
    settings.BASE_DIR = tree
    out = io.StringIO()

    with translation.override("en"):
        call_command("release_migrations", "--listing", str(tree / "released.txt"), stdout=out)

    assert out.getvalue() == (
        "Listed 1 new migrations as released in released.txt: "
        "kembar/things/migrations/0002_more.py\n"
    )
    assert released_migrations(tree / "released.txt") == migration_files(tree)
