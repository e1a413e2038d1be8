"""Input validation of the application forms."""
