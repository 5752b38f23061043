"""Extended warranties, group-buy events, prize games and award entries (EW01-EW06, CP01-CP06, AW01)."""
