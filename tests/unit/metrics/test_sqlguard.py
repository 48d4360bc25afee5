"""Analysts' expressions: plain expressions over their extract's columns, nothing more."""

from __future__ import annotations

import pytest

from tracker.metrics.sqlguard import UnsafeExpression, check_expression

COLUMNS = ["period", "org", "seen", "total", "type", "Spend £k", "measure"]


@pytest.mark.parametrize(("role", "expression", "numeric", "text"), [
    ("value", "100 * (1 - seen / total)", {"seen", "total"}, set()),
    ("value", '"Spend £k"', {"Spend £k"}, set()),
    ("value", "SEEN", {"seen"}, set()),
    ("value", "coalesce(nullif(seen, 0), total)", {"seen", "total"}, set()),
    ("value", "case when measure = 'x' then seen else 0 end", {"seen"}, {"measure"}),
    ("value", "round(try_cast(seen as double) / total, 3)", {"seen", "total"}, set()),
    ("filter", "type = '1'", set(), {"type"}),
    ("filter", "lower(org) in ('a', 'b') and total > 0", {"total"}, {"org"}),
    ("filter", "measure like 'dementia%' and seen between 1 and 10", {"seen"}, {"measure"}),
    ("filter", "strptime(period, '%d/%m/%Y') >= date '2021-04-01'", set(), {"period"}),
    ("filter", "org is not null and not (type <> '1')", set(), {"org", "type"}),
    ("value", "case when seen > 0 then org else 'none' end", {"seen"}, {"org"}),
    ("value", "coalesce(org, 'none')", set(), {"org"}),
])
def test_plain_expressions_pass_and_say_which_columns_are_numbers(
    role: str, expression: str, numeric: set[str], text: set[str]
) -> None:
    checked = check_expression(expression, COLUMNS, role)
    assert checked.numeric == numeric
    assert checked.columns == numeric | text


def test_what_runs_is_duckdbs_rendering_of_the_checked_tree() -> None:
    checked = check_expression("100*(1-breaches/attendances)", ["breaches", "attendances"])
    assert checked.sql == "(100 * (1 - (breaches / attendances)))"
    assert check_expression("type='1'", ["type"], "filter").sql == "(\"type\" = '1')"


@pytest.mark.parametrize(("role", "expression", "message"), [
    ("value", "read_csv('/etc/passwd')",
     "the value expression may not call read_csv(): only simple functions such as round, coalesce, "
     "nullif, abs, lower and strptime are allowed (found: read_csv('/etc/passwd'))"),
    ("value", "seen; select 1", "the value expression may not contain ';': write a single expression"),
    ("value", "seen -- comment", "the value expression may not contain '--': write a single expression"),
    ("value", "(select max(seen) from extract_rows)",
     "the value expression may not use subqueries (a SELECT inside the expression): only columns, "
     "numbers, text, operators and simple functions are allowed "
     "(found: (select max(seen) from extract_rows))"),
    ("filter", "seen in (select 1)", "may not use subqueries"),
    ("filter", "exists (select 1)", "may not use subqueries"),
    ("value", "seen + secret",
     "the value expression names 'secret', which is not a column of the extract (columns: Spend £k, "
     "measure, org, period, seen, total, type)"),
    ("value", "extract_rows.seen", "names 'extract_rows.seen', which is not a column"),
    ("value", "getenv('HOME')", "may not call getenv()"),
    ("value", "query('select 1')", "may not call query()"),
    ("value", "glob('*')", "may not call glob()"),
    ("value", "read_parquet('x.parquet')", "may not call read_parquet()"),
    ("value", "current_setting('threads')", "may not call current_setting()"),
    ("value", "sum(seen)", "may not call sum()"),
    ("value", "sum(seen) over ()", "may not use window functions"),
    ("value", "$1", "may not use parameters"),
    ("value", "*", "may not use '*'"),
    ("value", "x -> x", "may not use lambda functions"),
    ("value", "seen::struct(a int)", "may not convert to 'struct'"),
    ("value", "1), (2", "must be a single expression over the extract's own columns"),
    ("filter", "1 = 1) group by (seen", "must be a single expression over the extract's own columns"),
    ("filter", "true) or (1 = 1", None),
    ("value", "seen) from read_csv('x') where (1", "is not valid SQL"),
    ("value", "attach 'x.db'", "may not convert to 'attach'"),
    ("value", "  ", "the value expression is empty"),
])
def test_anything_else_is_refused_with_a_sentence_naming_it(
    role: str, expression: str, message: str | None
) -> None:
    if message is None:  # balanced parentheses that stay one condition are fine
        check_expression(expression, COLUMNS, role)
        return
    with pytest.raises(UnsafeExpression) as caught:
        check_expression(expression, COLUMNS, role)
    assert message in str(caught.value)


@pytest.mark.hostile
@pytest.mark.parametrize("expression", [
    " + ".join(["s"] * 340),  # stopped the build: maximum recursion depth exceeded
    "+".join(["s"] * 999),  # past DuckDB's own parser limit of 1000
    "abs(" * 150 + "s" + ")" * 150,
])
def test_an_expression_nested_too_deep_is_refused_in_a_sentence(expression: str) -> None:
    with pytest.raises(UnsafeExpression) as caught:
        check_expression(expression, ["s"])
    assert str(caught.value) == (
        "the value expression has more than 100 operators or functions inside one another: "
        "add fewer terms in one expression, or compute a total in the extract")


@pytest.mark.hostile
def test_an_expression_over_2000_characters_is_refused_with_its_length() -> None:
    with pytest.raises(UnsafeExpression) as caught:
        check_expression("seen > 1" + " " * 1984 + "and 1 = 1", COLUMNS, "filter")
    assert str(caught.value).startswith("the filter expression is 2,001 characters long; the limit is 2,000")


def test_a_sum_of_ninety_terms_still_passes() -> None:
    assert check_expression(" + ".join(["seen"] * 90), COLUMNS).columns == {"seen"}


@pytest.mark.hostile
@pytest.mark.parametrize(("expression", "function"), [
    ("length(rpad('x', 2000000000, 'y'))", "rpad"),  # ran 31 s at 4.0 GB
    ("lpad(org, 50000000, 'x')", "lpad"),  # ran out of memory
    ("lpad(org, 1001, 'x')", "lpad"),
    ("lpad(org, total, 'x')", "lpad"),  # a width from the file: no limit
    ("rpad(org, 2 * 500, 'x')", "rpad"),
])
def test_padding_to_an_unbounded_width_is_refused(expression: str, function: str) -> None:
    with pytest.raises(UnsafeExpression, match=(
            f"the value expression may call {function}\\(\\) only with a fixed width of at most "
            "1,000 characters")):
        check_expression(expression, COLUMNS)


def test_padding_to_a_fixed_width_passes_and_repeat_is_refused() -> None:
    assert check_expression("lpad(org, 5, '0')", COLUMNS).sql == "lpad(org, 5, '0')"
    with pytest.raises(UnsafeExpression, match="may not call repeat"):
        check_expression("length(repeat(org, 2000000000))", COLUMNS)
