"""Panel views: meetings, agendas, attendance and minutes (meetings.py); the item screen with
papers, declarations, the proposal and the vote (items.py). Each module lists its own ``urls``."""
