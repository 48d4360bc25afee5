"""Who may do what, what they did, and how they are told.

`people` is the register (`objectives/people.yaml`); `permissions` decides each write;
`audit` records every write; `mail` sends the quarter's reminders.
"""
