"""Integrations with other libraries; each module imports its library on first use and
names the extra to install when it is missing."""
