"""News the service desk gives to the apps above it (customer care, campaigns); it never imports them.

Each is sent inside the transaction of its event, with kwargs `order` and `at`: what receivers
write (the follow-up call, care SMS rows) commits with the event or not at all, and a receiver
that fails fails the event. Receivers write rows only; anything slow goes through the outbox.
"""

from django.dispatch import Signal

order_settled = Signal()  # checkout done: rating entries, follow-up calls, care SMS (customer care)
order_delivered = Signal()  # the car left: follow-up call the next day, care SMS
# SD16 / IN06, kwargs `violation` and `at`: a manager recorded a phone-script violation (its penalty).
script_violation_recorded = Signal()
