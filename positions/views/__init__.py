"""Pages about positions: list.py (the list), card.py (the job-description card)."""
