"""The points mall: catalogue, prices, stock, redemptions and their write-off at the counter."""
