"""Forms: filters.py (the list's and the API's filters)."""
