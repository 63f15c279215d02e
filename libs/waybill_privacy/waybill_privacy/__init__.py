"""Detect and mask personal information on waybills."""
