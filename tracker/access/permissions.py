"""Who may change what: checked where the write happens, so the CLI and the dashboard agree.

Hiding a form is not a permission: the dashboard's form and `python -m tracker update`
both call `tracker.plans.editing`, which asks this module before it touches a file. A lead,
or one of the lead's delegates, updates their own objectives; `pmo` updates any and
adds objectives; a `signatory` signs off only for the organisation they sign for;
`board` reads.
"""

from __future__ import annotations

from tracker.access.people import PEOPLE_FILE, Person, Register
from tracker.plans.models import Objective


class NotPermitted(Exception):
    """A person asked for a change their roles do not allow (said in plain words)."""


def person_for(register: Register, ref: str | None) -> Person:
    """The person `--by` (or the sign-in) names, by id or e-mail; refused plainly if none."""
    if not ref or not ref.strip():
        raise NotPermitted(f"say who is making the change: your person id or e-mail from "
                           f"objectives/{PEOPLE_FILE} (--by)")
    if not register.present:
        raise NotPermitted(f"there is no people register (objectives/{PEOPLE_FILE}): add the "
                           "people who update and sign off before anyone can")
    person = register.find(ref)
    if person is None:
        raise NotPermitted(f"'{ref.strip()}' is not in objectives/{PEOPLE_FILE}: use your "
                           "person id or the e-mail you are registered with, or ask the "
                           "programme office to add you")
    return person


def leads_of(register: Register, objective: Objective) -> list[Person]:
    return [p for i in objective.lead if (p := register.by_id(i)) is not None]


def may_update(register: Register, person: Person, objective: Objective) -> bool:
    """A pmo updates any objective; a lead their own; a delegate those of whom they stand in for."""
    return may_update_led_by(register, person, list(objective.lead))


def may_update_led_by(register: Register, person: Person, lead_ids: list[str]) -> bool:
    """`may_update` from the objective's lead ids (as the database holds them)."""
    if "pmo" in person.roles:
        return True
    if person.id in lead_ids and "lead" in person.roles:
        return True
    leads = [p for i in lead_ids if (p := register.by_id(i)) is not None]
    return any(person.id in lead.delegates for lead in leads)


def check_update(register: Register, person: Person, objective: Objective) -> None:
    if may_update(register, person, objective):
        return
    leads = ", ".join(p.name for p in leads_of(register, objective)) or "no lead yet"
    raise NotPermitted(f"{person.name} may not update {objective.id}: only its lead ({leads}), "
                       "their delegates or the programme office may")


def signs_for(person: Person) -> str | None:
    """The organisation this person signs off for, or None if they do not sign off."""
    return person.signs_for if "signatory" in person.roles else None


def check_signoff(person: Person, org: str | None) -> str:
    """The organisation the sign-off is for: the signatory's own, never another."""
    own = signs_for(person)
    if own is None:
        raise NotPermitted(f"{person.name} does not sign off updates: only a signatory may")
    if org and org.strip().lower() != own.lower():
        raise NotPermitted(f"{person.name} signs off for {own}, not for {org.strip()}")
    return own


def check_new_objective(person: Person) -> None:
    if "pmo" not in person.roles:
        raise NotPermitted(f"{person.name} may not add objectives: only the programme office "
                           "(role pmo) may")
