"""Three-systems analysis of parcel records."""
