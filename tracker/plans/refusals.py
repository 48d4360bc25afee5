"""Why an edit to a plan's files is not made: the exceptions the editor, the splicer and the
checked write raise, each carrying the reason in plain words for the CLI and the update form."""

from __future__ import annotations


class EditRefused(Exception):
    """A change we will not make, with the reason in plain words."""


class UpdateExists(EditRefused):
    """The quarter already has an update: the CLI says --replace, the form says tick Replace."""


class Stale(EditRefused):
    """The objective changed since the person read it: they must reload before saving."""
