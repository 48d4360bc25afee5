"""The leads' pages: the update form (when allowed), reminders and changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import as_shown, dashboard, give_leads
from tracker.plans.catalogue import load_catalogue
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]
# Sign-in configured as the README shows (the provider is never reached in AppTest).
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                 "cookie_secret": "test-only", "client_id": "tracker", "client_secret": "x",
                 "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}}


def sign_in(app: AppTest, email: str | None) -> AppTest:
    """Sign-in set up, and the visitor signed in as `email` (None: not signed in)."""
    app.secrets = AUTH
    app.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    return app


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    return at


def test_update_form_is_off_by_default(app: AppTest) -> None:
    app.switch_page("ui/pages/update.py").run()
    assert not app.exception
    assert any("switched off" in i.value and "sets up sign-in" in i.value  # both are needed
               and "create the file if there is none" in i.value for i in app.info)
    assert len(app.get("form")) == 0


def test_update_form_writes_the_yaml_and_shows_the_diff(
    app: AppTest, minimal_project: Project
) -> None:
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    sign_in(app, "pmo@example.invalid")
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-DEM-01")
    app.radio(key="u_rag").set_value("amber")
    app.text_area(key="u_commentary").input("Hubs opened late.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    assert not app.exception
    assert any("Saved LW-DEM-01 2023-24 Q3" in s.value for s in app.success)
    diff = app.code[0].value
    assert "+      - quarter: 2023-24 Q3" in diff and "+        rag: amber" in diff
    [dementia] = [o for o in load_catalogue(minimal_project).objectives()
                  if o.objective.id == "LW-DEM-01"]
    assert [(u.quarter, u.rag) for u in dementia.objective.updates] == [("2023-24 Q3", "amber")]


def test_update_form_refusal_is_explained_and_changes_nothing(
    app: AppTest, minimal_project: Project
) -> None:
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = area.read_bytes()
    sign_in(app, "pmo@example.invalid")
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-01").run()
    app.radio(key="u_rag").set_value("red")
    app.text_area(key="u_commentary").input("Again.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    [error] = [e.value for e in app.error]
    assert error == "Not saved: LW-CAN-01 already has an update for 2023-24 Q1: tick Replace to " \
                    "replace it."  # the form's words, never the command line's --replace
    assert area.read_bytes() == before


def test_reminders_and_changes_follow_the_quarter(app: AppTest) -> None:
    app.switch_page("ui/pages/reminders.py").run()
    assert not app.exception
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    text = " ".join(m.value for m in app.markdown)
    assert "**2** objective(s) have no real update yet" in text
    changes = app.dataframe[-1].value
    assert list(changes["ID"]) == ["LW-CAN-01"]
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q2").run()
    changes = app.dataframe[-1].value
    # LW-CAN-01: a real Q1 green against an example Q2 amber, said in words.
    assert list(changes["Movement"]) == ["↓ Deteriorated (involves an example)",
                                        "● New (involves an example)"]
    assert list(changes["Before"]) == ["✔ Green", "—"]
    assert list(changes["Now"]) == ["▲ Amber (example)", "✔ Green (example)"]




def test_update_form_on_an_objective_of_a_broken_file_names_the_file_and_line(
    app: AppTest, minimal_project: Project
) -> None:
    """The objective still shows (from the last good build); the form says where the file
    is broken rather than 'there is no objective'."""
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("    timeframe: June 2023", "\ttimeframe: June 2023"))
    before = area.read_bytes()
    sign_in(app, "pmo@example.invalid")
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-01").run()
    app.radio(key="u_rag").set_value("green")
    app.text_area(key="u_commentary").input("On track.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    [error] = [as_shown(e.value) for e in app.error]
    assert error.startswith("Not saved: LW-CAN-01 is in objectives/demo-plan/live-well-cancer.yaml, "
                            "which cannot be read: objectives/demo-plan/live-well-cancer.yaml:7: ")
    assert area.read_bytes() == before


def test_update_form_refuses_a_commentary_that_would_hide_the_area(
    app: AppTest, minimal_project: Project
) -> None:
    """Issue 20, finding 3: the form said "Saved" and the next build left the area out."""
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = area.read_bytes()
    sign_in(app, "pmo@example.invalid")
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-02")
    app.radio(key="u_rag").set_value("green")
    app.text_area(key="u_commentary").input("Pasted the whole report. " * 90_000)
    app.button(key="FormSubmitter:update-Save update").click().run()
    assert not app.exception
    assert not app.success
    assert any("Not saved: the file would become too big for the tracker to read" in e.value
               for e in app.error)
    assert area.read_bytes() == before
    assert len(load_catalogue(minimal_project).objectives()) == 3


# --- sign-in and permissions (issue 16) ------------------------------------------------


@pytest.fixture
def led(minimal_project: Project) -> Project:
    """Updates allowed; LW-CAN-01 led by cancer-lead, LW-DEM-01 by dementia-lead."""
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    return give_leads(minimal_project)


def _update_page(app: AppTest, quarter: str = "2023-24 Q3") -> AppTest:
    app.run()
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value(quarter).run()
    return app


def test_without_sign_in_set_up_the_dashboard_is_read_only_and_says_so(
    app: AppTest, led: Project
) -> None:
    _update_page(app)
    assert any("read-only: sign-in is not set up here" in i.value for i in app.info)
    assert len(app.get("form")) == 0
    assert any("Read-only" in c.value for c in app.sidebar.caption)


def test_an_anonymous_visitor_sees_only_the_sign_in_prompt(app: AppTest, led: Project) -> None:
    sign_in(app, None).run()
    assert any("Sign in with your organisation's account" in i.value for i in app.info)
    assert [b.label for b in app.button] == ["Sign in"]
    assert len(app.get("form")) == 0 and not app.dataframe


def test_a_lead_sees_only_their_objectives_and_is_named_from_the_sign_in(
    app: AppTest, led: Project
) -> None:
    _update_page(sign_in(app, "Cancer.Lead@example.invalid"))
    assert app.selectbox(key="u_objective").options == ["LW-CAN-01: Implement the FIT pathway."]
    assert app.radio(key="u_rag").value is None  # no status pre-selected
    assert not app.text_input  # "updated by" is never a text box
    assert any("Updated by: **Cancer Lead** (from your sign-in)" in c.value for c in app.caption)
    app.radio(key="u_rag").set_value("amber")
    app.text_area(key="u_commentary").input("Slipped a month.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    assert any("Saved LW-CAN-01 2023-24 Q3" in s.value for s in app.success)
    [cancer] = [o for o in load_catalogue(led).objectives() if o.objective.id == "LW-CAN-01"]
    assert [(u.quarter, u.updated_by) for u in cancer.objective.updates][-1] == (
        "2023-24 Q3", "Cancer Lead")


def test_a_form_without_a_status_says_so_in_one_sentence(app: AppTest, led: Project) -> None:
    _update_page(sign_in(app, "cancer.lead@example.invalid"))
    app.text_area(key="u_commentary").input("Forgot the status.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    assert [e.value for e in app.error] == [
        "Not saved: choose a status \\(red, amber, green or blue for complete\\)."]


def test_a_board_member_sees_no_form(app: AppTest, led: Project) -> None:
    _update_page(sign_in(app, "board@example.invalid"))
    assert len(app.get("form")) == 0
    assert any("your role lets you read the tracker, not change it" in i.value for i in app.info)


def test_someone_signed_in_but_not_registered_reads_only(app: AppTest, led: Project) -> None:
    _update_page(sign_in(app, "stranger@example.org"))
    assert len(app.get("form")) == 0
    assert any("not in the tracker's people register" in w.value for w in app.warning)


def test_a_signatory_signs_off_only_for_their_organisation(app: AppTest, led: Project) -> None:
    _update_page(sign_in(app, "director@example.invalid"), "2023-24 Q1")
    assert len(app.get("form")) == 1  # no update form: a signatory leads nothing here
    assert app.selectbox(key="s_objective").options == ["LW-CAN-01"]
    [button] = [b for b in app.button if b.label.startswith("Sign off for")]
    assert button.label == "Sign off for Sefton Council"
    button.click().run()
    assert any("Signed off LW-CAN-01 2023-24 Q1 for Sefton Council" in s.value for s in app.success)
    [cancer] = [o for o in load_catalogue(led).objectives() if o.objective.id == "LW-CAN-01"]
    assert [(s.org, s.by) for s in cancer.objective.updates[0].signoffs] == [
        ("Sefton Council", "A. Director")]


def test_replacing_shows_the_update_first_and_withdraws_its_signoffs(
    app: AppTest, led: Project
) -> None:
    import datetime as dt

    from tracker.plans.editing import add_signoff

    add_signoff(led, "LW-CAN-01", "2023-24 Q1", None, "council-signatory", dt.date(2023, 7, 20))
    _update_page(sign_in(app, "cancer.lead@example.invalid"), "2023-24 Q1")
    assert "commentary: On track." in app.code[0].value  # what would be replaced
    assert any("Its sign-offs (Sefton Council) would be withdrawn" in m.value for m in app.markdown)
    app.checkbox(key="u_replace").check().run()
    app.radio(key="u_rag").set_value("red")
    app.text_area(key="u_commentary").input("Worse than we said.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    assert any("Withdrawn sign-offs of the replaced update: Sefton Council" in i.value
               for i in app.info)
    # the signatory sees the withdrawal, with its reason, in their list
    _update_page(sign_in(app, "director@example.invalid"), "2023-24 Q1")
    assert any("LW-CAN-01: the 2023-24 Q1 update was replaced by Cancer Lead" in w.value.replace(
        "\\", "") for w in app.warning)


def test_saving_over_a_newer_version_is_refused_with_who_and_when(app: AppTest, led: Project) -> None:
    from tracker.plans.editing import add_update

    _update_page(sign_in(app, "cancer.lead@example.invalid"))
    add_update(led, "LW-CAN-01", {"quarter": "2023-24 Q2", "rag": "green",
                                  "commentary": "Meanwhile."}, by="cancer-deputy")
    app.radio(key="u_rag").set_value("amber")
    app.text_area(key="u_commentary").input("Mine.")
    app.button(key="FormSubmitter:update-Save update").click().run()
    [error] = [e.value.replace("\\", "") for e in app.error]
    assert error.startswith("Not saved: Cancer Deputy updated this objective at ")
    assert error.endswith(" (UTC): reload to see it.")


def test_an_objectives_history_of_changes_shows_who_replaced_what_and_why(
    app: AppTest, led: Project
) -> None:
    import datetime as dt

    from tracker.plans.editing import add_signoff, add_update

    add_signoff(led, "LW-CAN-01", "2023-24 Q1", None, "council-signatory", dt.date(2023, 7, 20))
    add_update(led, "LW-CAN-01", {"quarter": "2023-24 Q1", "rag": "red",
                                  "commentary": "Worse than we said."}, replace=True,
               by="cancer-deputy")
    app.switch_page("ui/pages/objectives.py").run()
    app.selectbox(key="detail").set_value("LW-CAN-01").run()
    assert not app.exception
    assert any(m.value == "**History of changes**" for m in app.markdown)
    history = app.dataframe[-1].value
    assert list(history["Who"]) == ["Cancer Deputy", "A. Director"]  # newest first
    assert list(history["What"]) == ["Replaced the update", "Sign-off"]
    assert history["Note"].iloc[0] == ("the 2023-24 Q1 update was replaced by Cancer Deputy: "
                                       "its sign-offs were withdrawn and are needed again")
    assert "commentary: On track." in history["Replaced text"].iloc[0]


def test_with_sign_in_optional_an_anonymous_visitor_reads_but_cannot_write(
    app: AppTest, led: Project
) -> None:
    led.settings_path.write_text("allow_dashboard_updates: true\nrequire_sign_in: false\n")
    _update_page(sign_in(app, None))
    assert any("Reading without signing in." in c.value for c in app.sidebar.caption)
    assert any("Sign in with your organisation's account to update" in i.value for i in app.info)
    assert len(app.get("form")) == 0


def test_an_unregistered_person_can_be_refused_by_setting(app: AppTest, led: Project) -> None:
    led.settings_path.write_text("allow_dashboard_updates: true\nunregistered_may_read: false\n")
    sign_in(app, "stranger@example.org").run()
    assert any("is not in the tracker's people register, so this dashboard is not open to it"
               in e.value for e in app.error)
    assert not app.dataframe


def test_the_reminders_page_writes_each_person_the_email_reminders_send(
    app: AppTest, led: Project
) -> None:
    from urllib.parse import unquote

    app.switch_page("ui/pages/reminders.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q2").run()
    assert not app.exception
    links = [unquote(button.proto.url) for button in app.get("link_button")]
    [cancer] = [link for link in links if link.startswith("mailto:cancer.lead@example.invalid")]
    assert "subject=Demo Plan 2023-25: 2023-24 Q2 update due 30 October 2023" in cancer
    assert "/update?objective=LW-CAN-01&quarter=2023-24%20Q2" in cancer  # the link, as sent


def test_a_reminders_link_opens_the_form_on_its_objective_and_quarter(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    app = sign_in(dashboard(minimal_project, monkeypatch), "pmo@example.invalid")
    app.query_params["objective"] = "LW-DEM-01"
    app.query_params["quarter"] = "2023-24 Q2"
    app.switch_page("ui/pages/update.py").run()
    assert not app.exception
    assert app.selectbox(key="u_objective").value == "LW-DEM-01"
    assert app.sidebar.selectbox(key="quarter").value == "2023-24 Q2"
