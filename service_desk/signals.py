"""News the service desk gives to the apps above it (customer care, campaigns); it never imports them.

Each is sent after the transaction commits, with kwargs `order` and `at`.
"""

from django.dispatch import Signal

order_settled = Signal()  # checkout done: rating entries, follow-up calls, care SMS (customer care)
order_delivered = Signal()  # the car left: follow-up call the next day, care SMS
