"""Services: one user action each, validated, then stored in one transaction."""
