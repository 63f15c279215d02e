"""ParcelGuard Django project."""
