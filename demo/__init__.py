"""Demo data for both apps (`manage.py seed_demo`); sits above catalogs and disclosures.

Nothing in catalogs/ or disclosures/ imports this package; tests and bench/ may.
"""
