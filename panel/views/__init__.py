"""Panel views: meetings (meetings.py), the agenda (agenda.py), attendance, minutes and seats
(records.py), the item screen with its papers (items.py), the forms reached from it - declarations,
rulings, the proposal, corrections (decisions.py) - and the vote's buttons (votes.py). Each module
lists its own ``urls``; what a person may do is a ``may_*`` predicate in ``panel.selectors``."""
