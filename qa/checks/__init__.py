"""Checker families; each module declares its rules with `@register`."""
