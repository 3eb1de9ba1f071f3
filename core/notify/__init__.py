"""Telling people that an order waits for them: e-mail through SMTP (``core.notify.mail``)."""
