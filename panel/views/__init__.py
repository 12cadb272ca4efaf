"""Panel views: meetings (meetings.py), the agenda (agenda.py), attendance, minutes and seats
(records.py), and the item screen with papers, declarations, the proposal and the vote (items.py).
Each module lists its own ``urls``."""
