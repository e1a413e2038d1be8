"""Staff catalog views under /work/catalogs/: login required, scoped to the user's region."""
