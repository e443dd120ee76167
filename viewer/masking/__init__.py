"""Sensitive values masked the way Kustomer masks them: rules, mask formats, the masked rendition, the audit log."""
