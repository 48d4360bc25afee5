"""The quarterly Board pack: what it says (`pack`), how it looks (`templates/`, `charts`,
`cover`, `ipr`), how it prints (`pdf`), and what the Board saw (`snapshots`).
"""
