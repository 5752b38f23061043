"""Labour operations, appointments, reception, repair orders and checkout (SD01-SD19)."""
