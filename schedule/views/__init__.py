"""Schedule views: search before contact (search.py), entries and emergency additions
(entries.py), the access register (access.py), address warnings (address_warnings.py), appeals to
the Monitoring Officer (appeals.py), reviews due and overdue (reviews.py). Each module lists its own ``urls``."""
