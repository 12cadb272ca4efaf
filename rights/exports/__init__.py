"""The subject access export: everything held about one person, as one ZIP (issue 14, point 2).

``content`` and ``content_decisions`` gather the record as plain data (the JSON); ``staff`` names
the members of staff in it, or redacts them; ``summary`` renders the readable PDF; ``build`` writes
the ZIP and records progress as it goes. README, "Subject access export", documents the shape.
"""
