"""Objective status as at the end of a quarter: the rules, once, for every view.

`quarters` are UK financial-year quarters; `rag` is the status vocabulary (order, words,
symbols); `objectives` reads each objective's status and decides the Board's exceptions;
`workflow` is who still owes an update and what changed; `health` is what the figures leave
out or show from an old build.
"""
