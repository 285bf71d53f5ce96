"""Operations on positions that are more than one save: editing.py (a whole job description, the
version check), loading.py (an organisation document), people.py (people and their posts)."""
