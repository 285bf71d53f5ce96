"""Operations on assessments that are more than one save: opening and closing cycles (opening.py)."""
