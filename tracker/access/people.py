"""The people register, `objectives/people.yaml`: who leads, who signs off, who reads.

An objective's `lead:` names people by their id here, so one role spelt three
ways in a published plan is one person, reminders reach that person once, and
the dashboard knows whose objectives a signed-in e-mail may update. The
register is read and checked like the plans (`path:line:` messages through
`tracker.plans.validation`), and has its own JSON Schema for editors.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from tracker.plans.models import Strict, Text, _editor_pattern
from tracker.plans.problems import Problem
from tracker.plans.validation import ItemCheck, validate_items
from tracker.plans.yamlio import LocatedDocument

PEOPLE_FILE = "people.yaml"
Role = Literal["board", "lead", "pmo", "signatory"]
_PERSON_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_person_id(value: str) -> str:
    if not _PERSON_ID.match(value):
        raise ValueError(f"'{value}' is not a person id: use lower-case letters, digits and "
                         "dashes, for example cyp-commissioning-lead")
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an e-mail address: write it as name@organisation.nhs.uk")
    return value.lower()


PersonId = Annotated[str, AfterValidator(_check_person_id),
                     _editor_pattern(_PERSON_ID.pattern, "cyp-commissioning-lead")]
Email = Annotated[str, AfterValidator(_check_email),
                  _editor_pattern(_EMAIL.pattern, "first.last@nhs.net")]


class Person(Strict):
    """One person (or, until a name is known, one role as the plan prints it)."""

    id: PersonId = Field(description="Stable id that objectives' `lead:` uses.")
    name: Text = Field(description="The person's name, or the role as published until a "
                                   "name is known.")
    job_title: Text = Field(description="Their job title.")
    organisation: Text = Field(description="Their employing organisation.")
    email: Email = Field(description="The e-mail they sign in with (their identity).")
    roles: list[Role] = Field(min_length=1, description="board (reads), lead (updates their "
                              "objectives), pmo (updates any), signatory (signs off).")
    signs_for: str | None = Field(None, description="For a signatory: the organisation they "
                                  "sign off for, one of the settings' signoff_orgs.")
    delegates: list[PersonId] = Field(default_factory=list, description="Ids of people who may "
                                      "update this person's objectives for them.")
    published_as: list[Text] = Field(default_factory=list, description="How the plans print "
                                     "this role, word for word (spelling variants included).")


class PeopleFile(Strict):
    """The contents of `objectives/people.yaml`."""

    people: list[Person]


@dataclass
class Register:
    """The people, found by id or by sign-in e-mail."""

    people: list[Person] = field(default_factory=list)
    present: bool = False  # False: there is no people.yaml

    def by_id(self, person_id: str) -> Person | None:
        # Looked up for every lead of every objective (20,000 at a national scale): an index,
        # made again whenever the list has changed length.
        index = self.__dict__.get("_by_id")
        if index is None or len(index[0]) != len(self.people):
            index = ([p.id for p in self.people], {p.id: p for p in reversed(self.people)})
            self.__dict__["_by_id"] = index
        return index[1].get(person_id)

    def by_email(self, email: str) -> Person | None:
        wanted = email.strip().lower()
        return next((p for p in self.people if p.email == wanted), None)

    def find(self, ref: str) -> Person | None:
        """A person by id or by e-mail, as `--by` and the sign-in give them."""
        return self.by_id(ref.strip()) or self.by_email(ref)

    def names(self, ids: list[str]) -> list[str]:
        """The names of these ids; an unknown id as written (it is a reported problem)."""
        return [p.name if (p := self.by_id(i)) else i for i in ids]


def read_register(doc: LocatedDocument, signoff_orgs: list[str]) -> tuple[Register, list[Problem]]:
    """The register from its YAML, with every problem: one bad person costs that person."""
    problems, checks = validate_items(doc, PeopleFile, "people")
    register = Register(present=True)
    if checks is None:
        return register, problems
    for check in checks:
        problems += check.problems
        if check.parsed is not None:
            register.people.append(check.parsed)
    problems += _cross_checks(doc, register, signoff_orgs, checks)
    return register, sorted(problems, key=lambda p: (p.line or 0, p.message))


def _cross_checks(
    doc: LocatedDocument, register: Register, signoff_orgs: list[str], checks: list[ItemCheck]
) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, int | None] = {}
    seen_emails: dict[str, int | None] = {}
    known = {p.id for p in register.people}
    parsed = [(c.index, c.parsed) for c in checks if c.parsed is not None]
    for index, person in parsed:
        def line(*loc: str | int, i: int = index) -> int | None:
            return doc.line_of(("people", i, *loc))
        if person.id in seen_ids:
            problems.append(Problem(doc.path, line("id"), f"person id '{person.id}' is used again "
                                    f"(first at line {seen_ids[person.id]}): ids must be unique"))
        seen_ids.setdefault(person.id, line("id"))
        if person.email in seen_emails:
            problems.append(Problem(doc.path, line("email"), f"e-mail '{person.email}' is "
                                    f"already {_owner(register, person.email)}'s (line "
                                    f"{seen_emails[person.email]}): each person signs in with "
                                    "their own address"))
        seen_emails.setdefault(person.email, line("email"))
        if "signatory" in person.roles and not person.signs_for:
            problems.append(Problem(doc.path, line("roles"), f"{person.id} is a signatory but "
                                    "'signs_for' is missing: add the organisation they sign "
                                    f"off for ({', '.join(signoff_orgs)})"))
        if person.signs_for and person.signs_for not in signoff_orgs:
            problems.append(Problem(doc.path, line("signs_for"), f"signs_for '{person.signs_for}' "
                                    "is not an organisation that signs off: use one of "
                                    f"{', '.join(signoff_orgs)} (settings' signoff_orgs)"))
        if person.signs_for and "signatory" not in person.roles:
            problems.append(Problem(doc.path, line("signs_for"), f"{person.id} has 'signs_for' "
                                    "but not the role signatory: add signatory to their roles"))
        for d, delegate in enumerate(person.delegates):
            if delegate not in known:
                problems.append(Problem(doc.path, line("delegates", d), f"delegate '{delegate}' "
                                        f"is not in {PEOPLE_FILE}: add them, or use one of "
                                        "the ids listed there"))
    return problems


def _owner(register: Register, email: str) -> str:
    person = register.by_email(email)
    return person.id if person else email


def unknown_lead_message(person_id: str, register: Register) -> str:
    """Why a `lead:` id is refused, with the way to fix it."""
    if not register.present:
        return (f"lead '{person_id}' is not in the people register: create objectives/"
                f"{PEOPLE_FILE} and add them (see objectives/README.md)")
    close = difflib.get_close_matches(person_id, [p.id for p in register.people], n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (f"lead '{person_id}' is not in objectives/{PEOPLE_FILE}: add them there, or name "
            f"a person id from it{hint}")
