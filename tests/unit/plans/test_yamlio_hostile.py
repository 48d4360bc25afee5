"""Hostile and arbitrary YAML: refused quickly, in bounded memory, with the file and line.

`test_yamlio.py` covers the basics (a small alias bomb, one python tag, 200-deep
flow nesting, a Latin-1 byte, a 3 MB file). These add what an attacker would try
next, the same documents arriving through the catalogue and `settings.yaml`, and
property tests: whatever the text, the reader returns values or our own
`SourceError`, never another exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.plans.catalogue import load_catalogue
from tracker.plans.problems import SourceError
from tracker.plans.yamlio import MAX_FILE_BYTES, parse_yaml_text, read_yaml
from tracker.project import DEFAULT_SETTINGS, Project, load_project

pytestmark = pytest.mark.hostile

# Reproducible in CI: the same examples every run, and nothing written to .hypothesis/.
BOUNDED = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
              for i in range(8))
)
# Nesting deeper than Python's own recursion limit (1000), in each YAML style.
DEEP_FLOW_LIST = "x: " + "[" * 5_000 + "]" * 5_000 + "\n"
DEEP_FLOW_MAP = "x: " + "{a: " * 3_000 + "1" + "}" * 3_000 + "\n"
DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(1_500)) + "  " * 1_500 + "end\n"


def _bounded(action: Callable[[], object], seconds: float = 3.0, megabytes: float = 16.0) -> SourceError:
    """Run `action`, which must raise SourceError within `seconds` and `megabytes` of Python memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(SourceError) as caught:
            action()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * 1024 * 1024, f"peaked at {peak / 1e6:.0f} MB"
    return caught.value


def test_billion_laughs_is_refused_at_its_first_anchor_quickly_and_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    error = _bounded(lambda: read_yaml(path, "objectives/p/bomb.yaml"), megabytes=1)
    assert str(error) == "objectives/p/bomb.yaml:1: is not valid YAML: anchors (&a) are not allowed here"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: 1\nb: *nowhere\n", 2, "anchors and aliases (*name) are not allowed here"),
    ("base: &base {rag: red}\nupdate:\n  <<: *base\n", 1, "anchors (&base) are not allowed here"),
    ("a: 1\nb:\n  - &x {c: 1}\n", 3, "anchors (&x) are not allowed here"),
])
def test_every_anchor_and_alias_is_refused_with_its_line(text: str, line: int, message: str) -> None:
    problem = _bounded(lambda: parse_yaml_text(text, "f.yaml"), megabytes=1).problem
    assert (problem.path, problem.line) == ("f.yaml", line)
    assert message in problem.message


@pytest.mark.parametrize("text", [
    pytest.param("a: 1\nnested:\n  x: " + "[" * 60 + "]" * 60 + "\n", id="just-past-the-limit"),
    pytest.param(DEEP_FLOW_LIST, id="flow-list"),
    pytest.param(DEEP_FLOW_MAP, id="flow-map"),
    pytest.param(DEEP_BLOCK, id="block-map"),
])
def test_deep_nesting_is_refused_with_file_and_line_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        parse_yaml_text(text, "deep.yaml")
    assert time.perf_counter() - start < 5
    problem = caught.value.problem
    assert problem.path == "deep.yaml" and problem.line is not None
    assert "nested more than 50 deep" in problem.message


def test_a_huge_file_is_refused_without_reading_it_into_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(256 * 1024 * 1024)
    error = _bounded(lambda: read_yaml(path, "objectives/p/huge.yaml"), seconds=1, megabytes=8)
    assert str(error) == (f"objectives/p/huge.yaml: is 268,435,456 bytes; the limit is {MAX_FILE_BYTES:,}")


@pytest.mark.parametrize(("raw", "line"), [
    ("a: 1\n".encode("utf-16"), 1),  # Notepad's "Unicode"
    (b"a: 1\nb: 2\nc: \xff\xfe\n", 3),
    (b"a: 1\n" + "b: café\n".encode("cp1252"), 2),
])
def test_text_that_is_not_utf8_names_file_and_line(tmp_path: Path, raw: bytes, line: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(raw)
    problem = _bounded(lambda: read_yaml(path, "objectives/p/f.yaml"), megabytes=1).problem
    assert (problem.path, problem.line) == ("objectives/p/f.yaml", line)
    assert problem.message == "is not UTF-8 text: save the file as UTF-8 and try again"


@pytest.mark.parametrize("text", ["a: 1\nb: x\x00y\n", "a: 1\nb: bell\x07\n", "a: 1\nb: \x1b[31mred\n"])
def test_control_characters_are_a_plain_problem_with_file_and_line(text: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml_text(text, "ctrl.yaml")
    assert (caught.value.problem.path, caught.value.problem.line) == ("ctrl.yaml", 2)


@pytest.mark.parametrize(("value", "tag"), [
    ("!!python/object/apply:os.system ['touch {marker}']", "python/object/apply:os.system"),
    ("!!python/object/new:subprocess.Popen [['touch', '{marker}']]", "python/object/new:subprocess.Popen"),
    ("!!python/name:os.system", "python/name:os.system"),
    ("!!python/module:os", "python/module:os"),
    ("!!python/object:pathlib.Path {{}}", "python/object:pathlib.Path"),
    ("!!binary aGVsbG8=", "binary"),
    ("!!set {{a, b}}", "set"),
    ("!!omap [{{a: 1}}]", "omap"),
    ("!Ref somewhere", "!Ref"),
])
def test_tags_that_construct_objects_are_refused_and_nothing_runs(
    tmp_path: Path, value: str, tag: str
) -> None:
    marker = tmp_path / "ran"
    text = f"objectives:\n  - id: LW-CAN-01\n    notes: {value.format(marker=marker)}\n"
    problem = _bounded(lambda: parse_yaml_text(text, "evil.yaml"), megabytes=1).problem
    assert (problem.path, problem.line) == ("evil.yaml", 3)
    assert f"'{tag}' is not allowed" in problem.message or f"2002:{tag}' is not allowed" in problem.message
    assert not marker.exists()


@pytest.mark.parametrize("value", ["2023-02-31", "9" * 5_000])
def test_values_yaml_cannot_construct_are_a_plain_problem(value: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml_text(f"a: 1\nupdated_on: {value}\n", "f.yaml")
    assert (caught.value.problem.path, caught.value.problem.line) == ("f.yaml", 2)


# --- the same documents arriving through the catalogue and settings.yaml --------------------


@pytest.mark.parametrize("hostile", [
    pytest.param(BILLION_LAUGHS.encode(), id="alias-bomb"),
    pytest.param(b"x: !!python/object/apply:os.system ['true']\n", id="python-tag"),
    pytest.param(b"objectives: caf\xe9\n", id="not-utf8"),
    pytest.param(b"# " + b"x" * (MAX_FILE_BYTES + 1), id="too-big"),
    pytest.param(b"objectives: [\n", id="broken"),
    pytest.param(DEEP_FLOW_LIST.encode(), id="too-deep"),
])
def test_a_hostile_area_file_is_one_problem_and_the_other_areas_still_load(
    minimal_project: Project, hostile: bytes
) -> None:
    (minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml").write_bytes(hostile)
    catalogue = load_catalogue(minimal_project)
    area_problems = [p for p in catalogue.problems if p.path.endswith("live-well-dementia.yaml")]
    assert len(area_problems) == 1, catalogue.problems
    assert area_problems[0].path == "objectives/demo-plan/live-well-dementia.yaml"
    assert [o.objective.id for o in catalogue.objectives()] == ["LW-CAN-01", "LW-CAN-02"]


@pytest.mark.parametrize(("hostile", "message"), [
    pytest.param(BILLION_LAUGHS.encode(), "anchors (&a) are not allowed here", id="alias-bomb"),
    pytest.param(b"example_data: [unclosed\n", "is not valid YAML", id="broken"),
    pytest.param(b"example_data: caf\xe9\n", "is not UTF-8 text", id="not-utf8"),
    pytest.param(b"example_data: !!python/object/apply:os.system ['true']\n", "is not allowed",
                 id="python-tag"),
])
def test_a_hostile_settings_file_keeps_the_defaults_and_validate_names_it(
    minimal_project: Project, hostile: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    minimal_project.settings_path.write_bytes(hostile)
    tracemalloc.start()
    try:
        project = load_project(minimal_project.root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    assert project.settings == DEFAULT_SETTINGS
    assert main(["--root", str(project.root), "validate"]) == 1
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    assert any(line.startswith("settings.yaml:") and message in line for line in stderr.splitlines()), stderr


# --- property tests ---------------------------------------------------------------------------

# Characters that make YAML structure, and some that do not, so examples explore the grammar.
YAML_TEXT = st.text(alphabet=st.sampled_from(list(
    "abcXYZ019 -:?,[]{}#&*!|>'\"%@`\n\t.~=\\é£😀")), max_size=120)


@BOUNDED
@given(text=YAML_TEXT)
def test_any_text_gives_values_or_our_own_problem(text: str) -> None:
    try:
        doc = parse_yaml_text(text, "any.yaml")
    except SourceError as exc:
        assert exc.problem.path == "any.yaml"
        assert exc.problem.message
        return
    assert all(line >= 1 for line in doc.lines.values())


@BOUNDED
@given(raw=st.binary(max_size=200))
def test_any_bytes_give_values_or_our_own_problem(tmp_path: Path, raw: bytes) -> None:
    # Control characters are covered by the test above; bytes that are not
    # UTF-8 stay as they are, for read_yaml to refuse before YAML sees them.
    with contextlib.suppress(UnicodeDecodeError):
        raw = yaml.reader.Reader.NON_PRINTABLE.sub("", raw.decode("utf-8")).encode("utf-8")
    path = tmp_path / "bytes.yaml"
    path.write_bytes(raw)
    try:
        read_yaml(path, "bytes.yaml")
    except SourceError as exc:
        assert exc.problem.path == "bytes.yaml"


PLAIN_SCALARS = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
                 | st.floats(allow_nan=False, allow_infinity=False)
                 | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
                 | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
PLAIN_VALUES = st.recursive(
    PLAIN_SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
                      | st.integers(0, 1000), inner, max_size=4),
    max_leaves=25,
)


@BOUNDED
@given(value=PLAIN_VALUES)
def test_plain_documents_read_back_exactly_with_a_line_for_every_value(value: object) -> None:
    for style in (False, None):  # block style, and PyYAML's mixed default
        text = yaml.safe_dump({"doc": value}, default_flow_style=style, allow_unicode=True)
        doc = parse_yaml_text(text, "plain.yaml")
        assert doc.data == {"doc": value}
        assert doc.line_of(("doc",)) == 1
        total = text.count("\n")
        assert all(1 <= line <= total + 1 for line in doc.lines.values())


AREA_KEYS = ["id", "objective", "impacts", "timeframe", "target_date", "actions", "lead",
             "lead_email", "milestones", "targets", "updates", "metrics", "notes", "colour"]
UPDATE_KEYS = ["quarter", "rag", "commentary", "mitigations", "updated_by", "updated_on", "signoffs"]
FIELD_VALUES = (PLAIN_SCALARS | st.sampled_from(["LW-DEM-01", "LW-DEM-02", "2023-24 Q2", "2023-06", "red",
                                                 "2024-13", "Q5 23/24", "a@b.c", ""])
                | st.lists(PLAIN_SCALARS, max_size=3))
UPDATES = st.lists(st.dictionaries(st.sampled_from(UPDATE_KEYS), FIELD_VALUES, max_size=7), max_size=3)
OBJECTIVES = st.lists(
    st.dictionaries(st.sampled_from(AREA_KEYS), FIELD_VALUES | UPDATES, max_size=10)
    | st.fixed_dictionaries({"id": st.just("LW-DEM-01"), "objective": st.text(max_size=20),
                             "timeframe": st.just("2023"), "target_date": st.just("2023-09"),
                             "updates": UPDATES}),
    max_size=3,
)


@settings(BOUNDED, max_examples=40)
@given(area=st.one_of(st.fixed_dictionaries({"objectives": OBJECTIVES}), PLAIN_VALUES))
def test_any_area_file_leaves_the_other_areas_loaded_and_names_itself(
    minimal_project: Project, area: object
) -> None:
    path = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    path.write_text(yaml.safe_dump(area, allow_unicode=True), encoding="utf-8")
    catalogue = load_catalogue(minimal_project)
    known = {"objectives/demo-plan/live-well-dementia.yaml", "objectives/demo-plan/examples/updates.yaml"}
    assert {p.path for p in catalogue.problems} <= known, catalogue.problems
    ids = [o.objective.id for o in catalogue.objectives()]
    assert ids[:2] == ["LW-CAN-01", "LW-CAN-02"]
