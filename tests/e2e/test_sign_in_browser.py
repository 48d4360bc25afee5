"""Sign-in end to end: the real dashboard, a real OpenID Connect provider on localhost
(oidc-provider-mock, offline), and Chromium. Who may write what is decided on the server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TESTDATA, copy_project
from tests.e2e.conftest import REPO, _free_port, screenshot, streamlit_serving
from tracker.plans.catalogue import load_catalogue
from tracker.plans.editing import add_update
from tracker.plans.refusals import EditRefused
from tracker.project import Project, load_project

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _objective(project: Project, objective_id: str):
    [found] = [o for o in load_catalogue(project).objectives() if o.objective.id == objective_id]
    return found.objective


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Project]]:
    """The dashboard over the test project, updates on, sign-in against a local provider."""
    from oidc_provider_mock import run_server_in_thread

    root = copy_project(TESTDATA / "minimal", tmp_path_factory.mktemp("signin") / "project")
    (root / "settings.yaml").write_text("allow_dashboard_updates: true\n")
    cancer = root / "objectives" / "demo-plan" / "live-well-cancer.yaml"
    cancer.write_text(cancer.read_text().replace(
        "    timeframe: June 2023\n", "    timeframe: June 2023\n    lead: cancer-lead\n"))
    dementia = root / "objectives" / "demo-plan" / "live-well-dementia.yaml"
    dementia.write_text(dementia.read_text().replace(
        "    timeframe:", "    lead: dementia-lead\n    timeframe:", 1))
    port = _free_port()
    logs = tmp_path_factory.mktemp("logs")
    with run_server_in_thread() as provider:
        secrets = logs / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-only-cookie-secret"\n'
            'client_id = "sefton-tracker"\n'
            'client_secret = "test-only"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}'
            '/.well-known/openid-configuration"\n')
        with streamlit_serving(root, logs, port, ("--secrets.files", str(secrets))) as url:
            yield url, load_project(root)


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)
    page.wait_for_timeout(500)


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.locator('input[name="sub"]').wait_for(timeout=TIMEOUT)  # the provider's own form
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=TIMEOUT)
    _settle(page)
    page.get_by_text("Signed in as").wait_for(timeout=TIMEOUT)


def _update_page(page, url: str, quarter: str) -> None:
    page.goto(f"{url}/update")
    _settle(page)
    box = page.get_by_label("As at the end of").first
    box.click()
    box.fill(quarter)
    page.get_by_role("option", name=quarter, exact=True).click()
    _settle(page)


def test_an_anonymous_visitor_is_asked_to_sign_in_and_cannot_write(page, served) -> None:
    url, _ = served
    page.goto(f"{url}/update")
    _settle(page)
    page.get_by_text("Sign in with your organisation's account").wait_for(timeout=TIMEOUT)
    assert page.get_by_role("button", name="Save update").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_a_lead_signs_in_and_updates_only_their_own_objective(page, served) -> None:
    url, project = served
    _sign_in(page, url, "cancer.lead@example.invalid")
    _update_page(page, url, "2023-24 Q3")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Objective")
    box.locator("input").click()
    page.get_by_role("option").first.wait_for(timeout=TIMEOUT)
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert options == ["LW-CAN-01: Implement the FIT pathway."]
    page.get_by_text("Amber", exact=False).first.click()
    page.get_by_label("Commentary").fill("Slipped a month: a new provider.")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Saved LW-CAN-01 2023-24 Q3").wait_for(timeout=TIMEOUT)
    screenshot(page, "sign-in-lead-saved")
    updates = _objective(project, "LW-CAN-01").updates
    assert [(u.quarter, u.rag, u.updated_by) for u in updates][-1] == (
        "2023-24 Q3", "amber", "Cancer Lead")
    # A forged request for another lead's objective is refused by the write itself.
    with pytest.raises(EditRefused, match="Cancer Lead may not update LW-DEM-01"):
        add_update(project, "LW-DEM-01", {"quarter": "2023-24 Q3", "rag": "red",
                                          "commentary": "Forged."}, by="cancer.lead@example.invalid")
    assert _objective(project, "LW-DEM-01").updates == []


def test_a_board_member_sees_no_form(page, served) -> None:
    url, _ = served
    _sign_in(page, url, "board@example.invalid")
    _update_page(page, url, "2023-24 Q3")
    page.get_by_text("your role lets you read the tracker, not change it").wait_for(timeout=TIMEOUT)
    assert page.get_by_role("button", name="Save update").count() == 0


def test_a_signatory_signs_off_only_for_their_organisation(page, served) -> None:
    url, project = served
    _sign_in(page, url, "director@example.invalid")
    _update_page(page, url, "2023-24 Q1")
    assert page.get_by_role("button", name="Sign off for NHS Cheshire and Merseyside").count() == 0
    page.get_by_role("button", name="Sign off for Sefton Council").click()
    page.get_by_text("Signed off LW-CAN-01 2023-24 Q1 for Sefton Council").wait_for(timeout=TIMEOUT)
    signoffs = _objective(project, "LW-CAN-01").updates[0].signoffs
    assert [(s.org, s.by, s.on) for s in signoffs] == [
        ("Sefton Council", "A. Director", dt.date.today())]
    with pytest.raises(EditRefused, match="signs off for Sefton Council, not for NHS Cheshire"):
        from tracker.plans.editing import add_signoff

        add_signoff(project, "LW-CAN-01", "2023-24 Q1", "NHS Cheshire and Merseyside",
                    "director@example.invalid", dt.date.today())


def test_the_project_under_test_is_not_the_repository(served) -> None:
    _, project = served
    assert Path(project.root).resolve() != REPO.resolve()
