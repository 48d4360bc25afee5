"""Reading YAML safely, with the line of every value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tracker.plans import yamlio
from tracker.plans.problems import SourceError
from tracker.plans.yamlio import parse_yaml_text, read_yaml


def test_lines_of_keys_and_list_items_are_recorded() -> None:
    doc = parse_yaml_text("objectives:\n  - id: A-01\n    rag: red\n  - id: A-02\n", "f.yaml")
    assert doc.line_of(("objectives", 0, "rag")) == 3
    assert doc.line_of(("objectives", 1)) == 4
    assert doc.line_of(("objectives", 1, "missing_key")) == 4


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml_text("a: 1\nb: [unclosed\nc: 3\n", "broken.yaml")
    problem = caught.value.problem
    assert problem.path == "broken.yaml"
    assert problem.line is not None and problem.line >= 2
    assert "not valid YAML" in problem.message


def test_aliases_are_refused_before_they_can_expand() -> None:
    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(SourceError, match="anchors"):
        parse_yaml_text(bomb, "bomb.yaml")


def test_python_object_tags_are_not_constructed() -> None:
    with pytest.raises(SourceError, match=r"tag 'tag:yaml\.org,2002:python/object/apply:os\.system'"):
        parse_yaml_text("x: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")
    with pytest.raises(SourceError, match="not allowed"):
        parse_yaml_text("x: !custom 3\n", "evil.yaml")


def test_duplicate_keys_are_reported() -> None:
    with pytest.raises(SourceError, match="appears twice"):
        parse_yaml_text("rag: red\nrag: green\n", "dup.yaml")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(SourceError, match="nested"):
        parse_yaml_text("[" * 200 + "]" * 200, "deep.yaml")


def test_non_utf8_file_is_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"a: ok\nb: caf\xe9\n")
    with pytest.raises(SourceError, match="UTF-8") as caught:
        read_yaml(path, "latin.yaml")
    assert caught.value.problem.line == 2


def test_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (3 * 1024 * 1024))
    with pytest.raises(SourceError, match="limit"):
        read_yaml(path, "huge.yaml")


def test_dates_stay_text_when_written_as_months() -> None:
    doc = parse_yaml_text("target_date: 2024-03\nupdated_on: 2024-03-05\n", "f.yaml")
    assert doc.data["target_date"] == "2024-03"
    assert str(doc.data["updated_on"]) == "2024-03-05"


def test_the_fast_and_careful_readers_agree_on_values_and_lines() -> None:
    from tracker.plans.yamlio import _careful_parse

    text = ("# a plan\nid: demo\nperiod: {start: 2024-03, end: 2026}\nok: yes\nitems:\n"
            "  - id: A-01\n    due: 2024-03-05\n    value: 66.7\n  -\n  - [x, 'y', ~]\n")
    fast, careful = parse_yaml_text(text, "f.yaml"), _careful_parse(text, "f.yaml")
    assert (fast.data, fast.lines) == (careful.data, careful.lines)


SCALARS = ["yes", "No", "off", "0x1A", "1_000", "0o17", "017", "1e3", "6.9e+6", ".inf", "-.Inf",
           ".nan", "~", "null", "", "2024-03-05", "2024-03-05 10:00:00", "2024-03", "1:20",
           "'1'", '"yes"', "+12", "-0", "66.7", "£6.9m", "Q2 23/24", "! 12",
           "!!int '3'", "!!float 1", "!!str 12", "!!timestamp 2024-01-05",
           "9" * 80, "Progress " * 20]  # long ones are typed afresh each time


@pytest.mark.parametrize("scalar", SCALARS)
def test_the_fast_reader_types_scalars_as_pyyaml_does_every_time(scalar: str) -> None:
    """The fast reader remembers how it typed each scalar: the second reading must agree too."""
    item = scalar or "''"
    text = f"value: {scalar}\nlist: [{item}]\n"
    expected = repr(yaml.safe_load(text))  # repr: nan equals itself, and types show
    for _ in range(2):
        assert repr(parse_yaml_text(text, "f.yaml").data) == expected


def test_an_impossible_date_is_a_plain_problem() -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml_text("a: 1\nupdated_on: 2024-13-45\n", "f.yaml")
    assert caught.value.problem.line == 2
    assert "value cannot be read" in caught.value.problem.message


@pytest.mark.hostile
@pytest.mark.parametrize(("escape", "code"), [("\\e", "001B"), ("\\0", "0000"), ("\\a", "0007"),
                                              ("\\x9b", "009B"), ("\\x7f", "007F"),
                                              ("\\r", "000D")])
def test_an_escaped_control_character_is_refused_with_its_line(escape: str, code: str) -> None:
    """Escapes in double quotes are the one way a control character gets past YAML's reader;
    `reminders` printed one that retitled and cleared the terminal."""
    text = f'objectives:\n  - id: LW-CAN-01\n    lead: "Ann{escape}]0;PWNED"\n'
    with pytest.raises(SourceError) as caught:
        parse_yaml_text(text, "area.yaml")
    assert str(caught.value.problem) == (
        f"area.yaml:3: contains a control character (U+{code}) written as an escape: delete it "
        "(only line breaks and tabs are allowed in text)")


def test_tabs_and_line_breaks_written_as_escapes_stay_text() -> None:
    doc = parse_yaml_text('commentary: "one\\ttwo\\nthree"\n', "area.yaml")
    assert doc.data == {"commentary": "one\ttwo\nthree"}


def test_a_bug_in_the_fast_reader_is_logged_and_the_careful_reader_reads_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 18: the fast reader's failures were suppressed, so a bug in it was never seen."""

    if yamlio._CParser is None:
        pytest.skip("PyYAML without libyaml has no fast reader")

    def broken(*args: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(yamlio, "_from_events", broken)
    path = tmp_path / "plan.yaml"
    path.write_text("id: demo\nname: Demo\n", encoding="utf-8")
    assert yamlio.read_yaml(path, "plan.yaml").data == {"id": "demo", "name": "Demo"}
    assert "the fast YAML reader failed on plan.yaml" in caplog.text
    assert "KeyError: 'a bug'" in caplog.text  # with its traceback


def test_unusual_yaml_goes_to_the_careful_reader_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("base: &a {x: 1}\nother: *a\n", encoding="utf-8")  # an anchor: not plain
    with pytest.raises(SourceError, match="anchors"):  # the careful reader explains it
        read_yaml(path, "plan.yaml")
    assert "fast YAML reader" not in caplog.text
