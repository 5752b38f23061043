"""Customer care pages at /care/, one module per page group: complaints, follow-up calls, the call
log, the rescue board, greetings and the settings. Each view states its roles, loads objects
through a gate in `selectors`, and changes nothing except through `services`."""
