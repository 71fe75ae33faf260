"""The demo's pictures reach workers by URL: their names must say nothing of their label."""

import hashlib

from microwork.demo.images import KINDS, write_images


def test_picture_names_are_the_hash_of_their_bytes_and_say_nothing_of_the_label(tmp_path):
    made = write_images(tmp_path, per_kind=4)
    assert len(made) == 4 * len(KINDS)
    for name, _kind in made:
        data = (tmp_path / name).read_bytes()
        assert name == f"{hashlib.sha256(data).hexdigest()[:32]}.png"
    # Sorting the names gives no grouping by kind: the first letter tells nothing.
    by_initial: dict[str, set[str]] = {}
    for name, kind in made:
        by_initial.setdefault(name[0], set()).add(kind)
    assert not all(len(kinds) == 1 for kinds in by_initial.values())


def test_pictures_left_with_an_older_telling_name_are_removed(tmp_path):
    (tmp_path / "g003-a1b2c3.png").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("kept")
    write_images(tmp_path, per_kind=1)
    assert not (tmp_path / "g003-a1b2c3.png").exists()
    assert (tmp_path / "notes.txt").exists()
