"""Parts catalogue, stock, backorders, counter sales and gift stock (PT01-PT06)."""
