"""Test doubles and builders shared by several test packages (imported as tests.support.…)."""
