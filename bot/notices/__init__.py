"""Telling coordinators what happened in their scope without spending the agency's LINE quota."""
